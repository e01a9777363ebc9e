# nothing here
# yet

