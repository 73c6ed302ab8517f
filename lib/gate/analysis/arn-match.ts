/**
 * May two resource patterns match a common resource? ARNs are compared segment by segment
 * (partition, service, region, account, resource), as IAM does: a wildcard does not span a
 * segment's colons. A short ARN is padded with `*` segments; a non-ARN (`*`) is a whole glob.
 */
export function resourcePatternsMayIntersect(a: string, b: string): boolean {
  const sa = arnSegments(a);
  const sb = arnSegments(b);
  if (!sa || !sb) return patternsMayIntersect(a, b);
  return sa.every((seg, i) => patternsMayIntersect(seg, sb[i]));
}

function arnSegments(s: string): string[] | undefined {
  if (!/^arn:/i.test(s)) return undefined;
  const parts = s.split(':');
  if (parts.length < 6) {
    while (parts.length < 6) parts.push('*');
    return parts;
  }
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Coarse, sound resource matching for IAM resource patterns: may two patterns (each with `*` and
 * `?` wildcards; template placeholders already turned into `*`) match a common string?
 * Case-insensitive on purpose (over-approximates IAM's case-sensitive ARN matching).
 */
export function patternsMayIntersect(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const n = x.length;
  const m = y.length;
  // memo[i * (m + 1) + j]: 0 unknown, 1 true, 2 false. Iterative-friendly bound: n*m is small for ARNs.
  if ((n + 1) * (m + 1) > 4_000_000) return true; // absurdly long patterns: assume they may match
  const memo = new Uint8Array((n + 1) * (m + 1));
  const stack: [number, number][] = [[0, 0]];
  // Depth-first search over (i, j) states without recursion.
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const k = i * (m + 1) + j;
    if (memo[k]) continue;
    memo[k] = 2;
    if (i === n && j === m) return true;
    const ci = i < n ? x[i] : undefined;
    const cj = j < m ? y[j] : undefined;
    if (ci === '*') {
      stack.push([i + 1, j]);
      if (j < m) stack.push([i, j + 1]);
    }
    if (cj === '*') {
      stack.push([i, j + 1]);
      if (i < n) stack.push([i + 1, j]);
    }
    if (ci !== undefined && cj !== undefined && ci !== '*' && cj !== '*' && (ci === cj || ci === '?' || cj === '?')) {
      stack.push([i + 1, j + 1]);
    }
  }
  return false;
}
