import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RpcError } from '../../../shared/rpc/errors';

/**
 * Passes a blob through while hashing it, and fails the stream at its end when the content is not
 * what its digest names (or is shorter or longer than its descriptor says). Whoever reads the
 * stream therefore never takes a corrupt or truncated blob for a good one.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash | undefined;
  bytes = 0;

  constructor(
    private readonly digest: string,
    private readonly expectedSize?: number,
    private readonly onBytes?: (n: number) => void,
  ) {
    super();
    const algorithm = digest.split(':')[0];
    // sha256 and sha512 are the algorithms OCI names; another one is passed through unverified.
    this.hash = algorithm === 'sha256' || algorithm === 'sha512' ? createHash(algorithm) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expectedSize !== undefined && this.bytes > this.expectedSize) {
      callback(corrupt(this.digest, `it is longer than the ${this.expectedSize} bytes its descriptor says`));
      return;
    }
    this.hash?.update(chunk);
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedSize !== undefined && this.bytes < this.expectedSize) {
      callback(corrupt(this.digest, `it ended after ${this.bytes} of ${this.expectedSize} bytes (truncated)`));
      return;
    }
    if (this.hash) {
      const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
      if (actual !== this.digest) {
        callback(corrupt(this.digest, `its content hashes to ${actual}`));
        return;
      }
    }
    callback();
  }
}

export function corrupt(digest: string, why: string): RpcError {
  return new RpcError('BLOB_CORRUPT', `The blob ${digest} is corrupt: ${why}.`, {
    hint: 'Push the image again; if it persists, the registry or its storage damaged the blob.',
    data: { digest },
  });
}
