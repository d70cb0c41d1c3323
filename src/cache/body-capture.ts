/**
 * A copy of an upstream body kept as it streams to the client, up to `maxBytes`; past that the
 * copy is dropped and the body only passes through. `onComplete` runs only when the whole body
 * arrived and fit; a body cut short is never completed, so it is never stored.
 */
export class BodyCapture {
  private chunks: Buffer[] | undefined = [];
  private size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onComplete: (body: Buffer) => void,
  ) {}

  add(chunk: Buffer): void {
    if (this.chunks === undefined) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.chunks = undefined;
    else this.chunks.push(chunk);
  }

  complete(): void {
    const chunks = this.chunks;
    this.chunks = undefined;
    if (chunks) this.onComplete(Buffer.concat(chunks, this.size));
  }
}
