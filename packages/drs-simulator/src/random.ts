/**
 * Deterministic randomness: every id and every launch duration the simulator produces comes from a
 * seeded stream, so the same seed and the same calls give the same ids and timings.
 */

/** A 32-bit string hash (FNV-1a), used to derive independent seeds from a seed and a label. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small, fast seeded PRNG (mulberry32) with helpers for ids and distributions. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The stream's position (persisted state); `SeededRandom.at(position)` continues the stream from there. */
  get position(): number {
    return this.state;
  }

  /** A stream continuing from a persisted position. */
  static at(position: number): SeededRandom {
    const random = new SeededRandom(0);
    random.state = position >>> 0;
    return random;
  }

  /** A stream derived from a seed and a label, independent of the other labels' streams. */
  static derive(seed: number, label: string): SeededRandom {
    return new SeededRandom(hash32(`${seed >>> 0}:${label}`));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** `length` lowercase hexadecimal characters. */
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += this.int(16).toString(16);
    return out;
  }

  /** A version-4 UUID (RFC 4122 layout) drawn from this stream. */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = (8 + this.int(4)).toString(16);
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
  }

  /** A standard normal variate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
