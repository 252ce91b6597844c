// Seeded PRNG: xoshiro128** (Blackman & Vigna) on 32-bit integers, seeded through a
// splitmix32-style mixer, with ziggurat normals (no log on the fast path: the Monte-Carlo
// simulator draws ~10^9 of them). Deterministic for a (seed, stream).

const TWO_POW_32 = 4294967296;
const TWO_POW_M53 = 1 / 9007199254740992;

/** 32-bit avalanche mixer (murmur3 finaliser constants). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

// Ziggurat tables for 256 layers (Marsaglia & Tsang 2000). The layer index uses the low 8 bits
// of a draw and the signed value its top 24 bits, so index and value never share bits.
const ZIG_R = 3.6541528853610088;
const ZIG_V = 4.92867323399e-3;
const ZIG_M = 8388608; // 2^23: magnitude range of the signed 24-bit value
const KN = new Float64Array(256);
const WN = new Float64Array(256);
const FN = new Float64Array(256);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * ZIG_M;
  KN[1] = 0;
  WN[0] = q / ZIG_M;
  WN[255] = dn / ZIG_M;
  FN[0] = 1;
  FN[255] = Math.exp(-0.5 * dn * dn);
  for (let i = 254; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * ZIG_M;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / ZIG_M;
  }
}

export class Rng {
  // xoshiro128** state; an Int32Array keeps every load an int32, which keeps the
  // hot loops in integer registers.
  private readonly st = new Int32Array(4);
  private pending = new Int32Array(0);

  /**
   * `seed` may be any finite number (its integer part up to 2^53 is used); `stream` selects an
   * independent-looking sequence for the same seed, e.g. one per Monte-Carlo run.
   */
  constructor(seed: number, stream = 0) {
    const whole = Math.floor(Math.abs(seed));
    const lo = whole >>> 0;
    const hi = Math.floor(whole / TWO_POW_32) >>> 0;
    let st = mix32(lo ^ mix32(hi ^ mix32((stream >>> 0) ^ (seed < 0 ? 0x5bd1e995 : 0))));
    const next = (): number => {
      st = (st + 0x9e3779b9) | 0;
      return mix32(st);
    };
    const s = this.st;
    for (let k = 0; k < 4; k++) s[k] = next();
    // xoshiro's only bad state is all zeros.
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.st;
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s[2] ^= s[0];
    s[3] ^= s1;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Standard normal (256-layer ziggurat; the slow path takes ~1.5% of draws). */
  normal(): number {
    const u = this.nextUint32() | 0;
    const iz = u & 255;
    const hz = u >> 8;
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    return this.normalSlow(hz, iz);
  }

  /**
   * Fills `out` with standard normals. The rare slow-path draws (~1.5%) are finished after the
   * loop, which keeps the hot loop free of calls; the sequence is therefore deterministic but
   * not the one repeated normal() calls give.
   */
  fillNormal(out: Float64Array): void {
    const n = out.length;
    const st = this.st;
    let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
    if (this.pending.length < n) this.pending = new Int32Array(n);
    const pending = this.pending;
    let np = 0;
    for (let i = 0; i < n; i++) {
      let u = Math.imul(s1, 5);
      u = Math.imul((u << 7) | (u >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      const iz = u & 255;
      const hz = u >> 8;
      if (Math.abs(hz) < KN[iz]) {
        out[i] = hz * WN[iz];
      } else {
        // Park the raw draw in out[i]; it is an exact int32 in a double.
        out[i] = u;
        pending[np++] = i;
      }
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    for (let k = 0; k < np; k++) {
      const i = pending[k];
      const u = out[i] | 0;
      out[i] = this.normalSlow(u >> 8, u & 255);
    }
  }

  /** Ziggurat rejection step: wedges and the tail beyond R (Marsaglia & Tsang 2000). */
  private normalSlow(hz: number, iz: number): number {
    for (;;) {
      const x = hz * WN[iz];
      if (iz === 0) {
        // Tail |x| > R by Marsaglia's exponential-rejection method.
        let tx: number, ty: number;
        do {
          tx = -Math.log(1 - this.next()) / ZIG_R;
          ty = -Math.log(1 - this.next());
        } while (ty + ty < tx * tx);
        return hz > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (FN[iz] + this.next() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      const u = this.nextUint32() | 0;
      iz = u & 255;
      hz = u >> 8;
      if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
