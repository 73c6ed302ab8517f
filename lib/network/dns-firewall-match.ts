import type * as Tldts from 'tldts';

// The Public Suffix List is loaded on first use only (about 12 ms): most synths never judge a wildcard.
let tldts: typeof Tldts | undefined;
const parseDomain: typeof Tldts.parse = (url, options) => (tldts ??= require('tldts') as typeof Tldts).parse(url, options);

/**
 * Route 53 Resolver DNS Firewall matching, as a small pure function, so that tests (and later the
 * gate) can ask what a rule group does with a query name without AWS.
 *
 * Domain specifications (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-domain-lists.html,
 * and the API's domain rules: an optional leading `*`, then letters, digits, hyphens and dots):
 * - `example.com` matches exactly that name;
 * - `*.example.com` matches every subdomain at any depth (`a.example.com`, `a.b.example.com`) but not
 *   the apex `example.com`;
 * - a bare `*` matches every name.
 * Comparison is case-insensitive and ignores a trailing root dot.
 *
 * Rules are evaluated in priority order (lowest first); ALLOW, ALERT and BLOCK all stop inspection,
 * so the first matching rule decides, and ALERT lets the query through
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html).
 * What this does not model: DNS threat protection rules (they match on query behaviour, not the
 * name, so they are reported as passed, never as matched), several rule groups on one VPC, and the
 * CNAME/DNAME chain of the answer (see `FirewallDomainRedirectionAction`).
 */

/** One rule of a rule group, as far as name matching is concerned. */
export interface DnsFirewallRuleView {
  readonly priority: number;
  readonly action: 'ALLOW' | 'BLOCK' | 'ALERT';
  /** The domain list's entries; undefined for a DNS threat protection rule (no domain list). */
  readonly domains?: readonly string[];
  /** e.g. `DNS_TUNNELING`, for a threat protection rule. */
  readonly threatProtection?: string;
}

/** What the rule group does with one query name. */
export interface DnsFirewallVerdict {
  /** The deciding action, or `NO_MATCH` when no rule matched (the resolver then answers). */
  readonly action: 'ALLOW' | 'BLOCK' | 'NO_MATCH';
  /** Priority of the deciding rule. */
  readonly priority?: number;
  /** The domain specification that matched. */
  readonly matched?: string;
  /** Threat protection rules evaluated before the decision, which the name alone cannot decide. */
  readonly threatRulesPassed: readonly number[];
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** True when a DNS Firewall domain specification matches the query name. */
export function dnsFirewallDomainMatches(spec: string, queryName: string): boolean {
  const s = normalise(spec);
  const q = normalise(queryName);
  if (s === '*') return true;
  if (s.startsWith('*.')) {
    const suffix = s.slice(1); // ".example.com"
    return q.length > suffix.length && q.endsWith(suffix);
  }
  return q === s;
}

/**
 * Evaluates a query name against the rules of one rule group, in priority order; the first matching
 * domain-list rule decides. An ALERT lets the query through (it is logged), so it counts as ALLOW.
 */
export function evaluateDnsFirewall(rules: readonly DnsFirewallRuleView[], queryName: string): DnsFirewallVerdict {
  const threatRulesPassed: number[] = [];
  for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
    if (rule.domains === undefined) {
      threatRulesPassed.push(rule.priority);
      continue;
    }
    const matched = rule.domains.find((d) => dnsFirewallDomainMatches(d, queryName));
    if (matched !== undefined) {
      return { action: rule.action === 'BLOCK' ? 'BLOCK' : 'ALLOW', priority: rule.priority, matched, threatRulesPassed };
    }
  }
  return { action: 'NO_MATCH', threatRulesPassed };
}

/**
 * Registrable domains whose names AWS's own name servers answer: no name under them is delegated to
 * a customer's server, so a wildcard below them cannot reach a server someone else runs (the S3
 * bucket and access point suffixes are public suffixes in the Public Suffix List's private section,
 * yet AWS answers every name under them).
 */
const AWS_OWNED_DOMAINS: readonly string[] = ['amazonaws.com', 'amazonaws.com.cn'];

/**
 * The public suffix that a DNS Firewall domain specification's wildcard spans, or undefined when it
 * spans none: `*` spans everything, `*.com` and `*.co.uk` span ICANN suffixes, `*.github.io` a
 * private-section one (anyone may register a name directly under them and answer its queries, which
 * is a DNS tunnel). Judged with the Public Suffix List (the `tldts` package); a suffix the list does
 * not know (`*.internal`) counts as one, as the list's default rule says.
 */
export function publicSuffixWildcard(spec: string): string | undefined {
  const s = normalise(spec);
  if (s === '*') return '*';
  if (!s.startsWith('*.')) return undefined;
  const base = s.slice(2);
  const withPrivate = parseDomain(base, { allowPrivateDomains: true });
  const icann = parseDomain(base);
  if (icann.domain !== null && AWS_OWNED_DOMAINS.includes(icann.domain)) return undefined;
  return withPrivate.domain === null ? (withPrivate.publicSuffix ?? base) : undefined;
}
