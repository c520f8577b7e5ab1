/**
 * A growable byte buffer for hot encoding loops: callers `reserve` an upper bound once, then write
 * into `bytes` at `length` without per-byte bounds checks.
 */
export class ByteSink {
  bytes: Uint8Array;
  length = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** Makes room for at least `extra` more bytes after `length`. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.bytes.length) return;
    let capacity = Math.max(this.bytes.length * 2, 64); // a sink made empty still grows
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends any text as UTF-8. */
  writeText(text: string): void {
    this.reserve(text.length * 3);
    this.length += Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length).write(text, this.length, 'utf8');
  }
}
