import { Token } from 'aws-cdk-lib';

/**
 * Collects every problem with a construct's props so that the user can fix them all in one round,
 * then throws once (the aws-solutions-constructs pattern).
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(private readonly owner: string) {}

  /** Records a problem unless `ok` holds. `prop` is the property's name as the user writes it. */
  public check(ok: boolean, prop: string, message: string): this {
    if (!ok) {
      this.problems.push(`${prop}: ${message}`);
    }
    return this;
  }

  public add(prop: string, message: string): this {
    this.problems.push(`${prop}: ${message}`);
    return this;
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Throws one error listing every recorded problem; does nothing when there are none. */
  public throwIfAny(): void {
    if (this.problems.length === 0) {
      return;
    }
    const lines = this.problems.map((p) => `  - ${p}`).join('\n');
    throw new Error(`Invalid ${this.owner} props (${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}):\n${lines}`);
  }
}

/** True when the value is a concrete number (not a token) that is an integer within [min, max]. */
export function isIntegerIn(value: number, min: number, max: number): boolean {
  return !Token.isUnresolved(value) && Number.isInteger(value) && value >= min && value <= max;
}

/** Returns the values that occur more than once, each once. */
export function duplicatesOf<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const dups = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) dups.add(v);
    seen.add(v);
  }
  return [...dups];
}

/** Parses an IPv4 CIDR block; returns undefined when it is not one. */
export function parseIpv4Cidr(cidr: string): { network: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const ip = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((ip & mask) >>> 0 !== ip) return undefined; // host bits set: not a network address
  return { network: ip, prefix };
}
