/**
 * Docker multiplexes a non-TTY container's stdout and stderr into frames: 1 byte stream type,
 * 3 zero bytes, 4 bytes big-endian length, then the payload. A TTY container's log is raw.
 */
export function demuxDockerLog(buffer: Buffer, tty: boolean): string {
  if (tty || !looksMultiplexed(buffer)) return buffer.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    const start = offset + 8;
    parts.push(buffer.subarray(start, Math.min(start + size, buffer.length)));
    offset = start + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function looksMultiplexed(buffer: Buffer): boolean {
  if (buffer.length < 8) return false;
  const type = buffer[0]!;
  return (type === 0 || type === 1 || type === 2) && buffer[1] === 0 && buffer[2] === 0 && buffer[3] === 0;
}
