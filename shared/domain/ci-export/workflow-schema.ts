import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

/**
 * Schema-level validation with GitHub's own workflow parser (`@actions/workflow-parser`, from
 * the repository behind GitHub's Actions language services): the workflow schema GitHub
 * publishes, with expressions parsed. It runs where the code is bundled (the window, tests):
 * the package imports its schema as JSON, which plain Node ESM refuses without an import attribute.
 */
export function workflowSchemaErrors(text: string, fileName = 'workflow.yml'): string[] {
  const result = parseWorkflow({ name: fileName, content: text }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((e) => e.message);
}
