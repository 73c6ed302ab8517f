/**
 * The optimized full-catalog queries (statements indexed by service, runs of one service, literal
 * actions as set lookups) against a straightforward reference: the per-action loop over every
 * statement, as the analysis was written before the optimization, kept here. Random policies
 * (fast-check): the same allowed actions with the same reasons, the same granted actions, and each
 * statement's action matching equal to an independent reading of its patterns. No timing here:
 * `npm run bench` measures.
 */
import fc from 'fast-check';
import { awsAllActions, awsActionsOfService, awsServicePrefixes, expandActionPattern } from '../../../lib/common/aws-action-catalog';
import { PermissionAnalysis, type MayAllowResult, type PrincipalPermissions } from '../../../lib/gate/analysis/effective-permissions';
import type { CompiledStatement, ResourceTarget, StatementRef } from '../../../lib/gate/analysis/policy-document';
import { TemplateModel } from '../../../lib/gate/model';

const ACCOUNT = '111111111111';

/** Patterns of every shape the index must handle: literal and wildcard services, no colon, odd case, unknown services. */
const SERVICE_PATTERNS = [
  's3:*',
  's3:Get*',
  'S3:getobject',
  's3:GetObject',
  'ec2:Describe*',
  'ec2:*Vpc*',
  'EC2:create*',
  'iam:PassRole',
  'iam:?assRole',
  'iam:Put*',
  'logs:CreateLogStream',
  'logs:*',
  'sts:AssumeRole',
  'kms:Decrypt',
  'kms:*',
  'lambda:Invoke?unction',
  'servicequotas:*',
  'budgets:Modify*',
  'cloudtrail:StopLogging',
  'unknownsvc:DoThing',
  'ssm:StartSession',
  'organizations:*',
  'sagemaker:Create*',
  'dynamodb:PutItem',
  'iam',
  'iam:',
  ':GetObject',
];
/** Patterns that may match actions of any service (wildcards before the colon, no colon). */
const ANY_SERVICE_PATTERNS = ['*', '*:Get*', 's3*', '?3:GetObject', '*Object', 'ec2*'];
const action = fc.oneof(
  { weight: 24, arbitrary: fc.constantFrom(...SERVICE_PATTERNS) },
  { weight: 2, arbitrary: fc.constantFrom(...ANY_SERVICE_PATTERNS) },
  // An action element the gate cannot read: the pattern is unknown.
  { weight: 1, arbitrary: fc.constant({ 'Fn::Sub': '${AWS::Region}:GetObject' }) },
);
const resource = fc.constantFrom('*', 'arn:aws:s3:::datasets/*', `arn:aws:iam::${ACCOUNT}:role/*`, { 'Fn::GetAtt': ['Other', 'Arn'] }, 'arn:aws:ec2:*:*:*');
const condition = fc.option(fc.constant({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }), { nil: undefined, freq: 4 });

const statement = (effects: string[]) =>
  fc
    .record({
      effect: fc.constantFrom(...effects),
      not: fc.integer({ min: 0, max: 4 }),
      actions: fc.array(action, { minLength: 1, maxLength: 4 }),
      notResource: fc.integer({ min: 0, max: 5 }),
      resources: fc.array(resource, { minLength: 1, maxLength: 2 }),
      condition,
      ifOnly: fc.integer({ min: 0, max: 7 }),
    })
    .map((s) => {
      const st = {
        Effect: s.effect,
        [s.not === 0 ? 'NotAction' : 'Action']: s.actions,
        [s.notResource === 0 ? 'NotResource' : 'Resource']: s.resources,
        ...(s.condition ? { Condition: s.condition } : {}),
      };
      // Sometimes the statement exists in one deploy-time alternative only.
      return s.ifOnly === 0 ? { 'Fn::If': ['InUsEast1', st, { Ref: 'AWS::NoValue' }] } : st;
    });

const policy = (effects: string[], max: number) =>
  fc.array(statement(effects), { minLength: 1, maxLength: max }).map((Statement) => ({ Version: '2012-10-17', Statement }));

const MANAGED_ARNS = [
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
  `arn:aws:iam::${ACCOUNT}:policy/not-in-this-app`, // unverifiable: Allow *
];

const scenario = fc.record({
  identity: fc.array(policy(['Allow', 'Allow', 'Deny'], 4), { minLength: 0, maxLength: 2 }),
  managed: fc.option(fc.subarray(MANAGED_ARNS, { maxLength: 1 }), { nil: [], freq: 3 }),
  boundary: fc.option(policy(['Allow', 'Deny'], 3), { nil: undefined }),
  scp: fc.option(fc.array(statement(['Deny']), { minLength: 1, maxLength: 2 }), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function principalOf(s: Scenario): { p: PrincipalPermissions; scp: readonly CompiledStatement[] } {
  const resources: Record<string, unknown> = {
    Agent: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: s.identity.map((d, i) => ({ PolicyName: `p${i}`, PolicyDocument: d })),
        ...(s.managed.length > 0 ? { ManagedPolicyArns: s.managed } : {}),
        ...(s.boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
      },
    },
    Other: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
    ...(s.boundary ? { Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: s.boundary } } } : {}),
    ...(s.scp
      ? {
          Scp: {
            Type: 'AWS::Organizations::Policy',
            Properties: { Name: 'scp', Type: 'SERVICE_CONTROL_POLICY', TargetIds: ['r-1'], Content: { Version: '2012-10-17', Statement: s.scp } },
          },
        }
      : {}),
  };
  const model = TemplateModel.fromTemplates([
    { stackName: 'P', template: { Conditions: { InUsEast1: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } }, Resources: resources } },
  ]);
  const analysis = PermissionAnalysis.of(model);
  return { p: analysis.principal('P', 'Agent')!, scp: analysis.scpStatements };
}

// ---- The reference: every statement asked about every action, as before the optimization. ----

function referenceEvaluate(p: PrincipalPermissions, scp: readonly CompiledStatement[], action: string, target?: ResourceTarget): MayAllowResult {
  const lower = action.toLowerCase();
  const grants = p.identityStatements.filter((s) => s.mayBeAllow && s.matchesAction(lower) && s.mayApplyTo(target));
  const boundaryGrants = p.boundaryStatements?.filter((s) => s.mayBeAllow && s.matchesAction(lower) && s.mayApplyTo(target));
  let deniedBy: StatementRef | undefined;
  if (grants.length > 0 && (!boundaryGrants || boundaryGrants.length > 0)) {
    deniedBy = (
      p.identityStatements.find((s) => s.protects(lower, target)) ??
      p.boundaryStatements?.find((s) => s.protects(lower, target)) ??
      scp.find((s) => s.protects(lower, target))
    )?.ref;
  }
  const allowed = grants.length > 0 && (!boundaryGrants || boundaryGrants.length > 0) && !deniedBy;
  const unverifiable = new Set<string>();
  for (const s of [...grants, ...(boundaryGrants ?? [])]) if (s.ref.unverifiableReason) unverifiable.add(s.ref.unverifiableReason);
  if (allowed && p.boundary.kind === 'unverifiable') unverifiable.add(`permissions boundary: ${p.boundary.reason}`);
  return {
    action,
    allowed,
    grants: grants.map((s) => s.ref),
    ...(boundaryGrants ? { boundaryGrants: boundaryGrants.map((s) => s.ref) } : {}),
    ...(deniedBy ? { deniedBy } : {}),
    unverifiable: [...unverifiable],
  };
}

/** The reference's memo of untargeted answers per role, keyed by the lower-case query (the first query's casing is kept, as mayAllow does). */
const referenceCache = new WeakMap<PrincipalPermissions, Map<string, MayAllowResult>>();

function referenceAllowed(p: PrincipalPermissions, scp: readonly CompiledStatement[], actions: readonly string[], target?: ResourceTarget): MayAllowResult[] {
  const out: MayAllowResult[] = [];
  let cache = referenceCache.get(p);
  if (!cache) referenceCache.set(p, (cache = new Map()));
  for (const a of actions) {
    const hit = target ? undefined : cache.get(a.toLowerCase());
    if (hit) {
      if (hit.allowed) out.push(hit);
      continue;
    }
    let r: MayAllowResult;
    const expanded = /[*?]/.test(a) ? expandActionPattern(a) : [];
    if (expanded.length > 0) {
      r = { action: a, allowed: false, grants: [], unverifiable: [] };
      for (const e of expanded) {
        const x = referenceEvaluate(p, scp, e, target);
        if (x.allowed) {
          r = x;
          break;
        }
      }
    } else {
      r = referenceEvaluate(p, scp, a, target);
    }
    if (!target) cache.set(a.toLowerCase(), r);
    if (r.allowed) out.push(r);
  }
  return out;
}

function referenceGranted(p: PrincipalPermissions, scp: readonly CompiledStatement[]): { action: string; grants: StatementRef[]; effective: boolean }[] {
  const allows = p.identityStatements.filter((s) => s.mayBeAllow && s.mayApplyTo(undefined));
  const candidates = new Map<string, string>();
  const add = (a: string) => {
    if (!candidates.has(a.toLowerCase())) candidates.set(a.toLowerCase(), a);
  };
  if (allows.some((s) => s.notActions || s.actionUnknown)) expandActionPattern('*').forEach(add);
  for (const s of allows) {
    for (const pattern of s.actions ?? []) {
      const expanded = expandActionPattern(pattern);
      if (expanded.length > 0) expanded.forEach(add);
      else if (/^[a-z0-9-]+:[A-Za-z0-9]+$/i.test(pattern)) add(pattern);
    }
  }
  const out: { action: string; grants: StatementRef[]; effective: boolean }[] = [];
  for (const [lower, a] of candidates) {
    const grants = allows.filter((s) => s.matchesAction(lower));
    if (grants.length === 0) continue;
    if (p.identityStatements.some((s) => s.protects(lower)) || scp.some((s) => s.protects(lower))) continue;
    out.push({ action: a, grants: grants.map((s) => s.ref), effective: referenceEvaluate(p, scp, a, undefined).allowed });
  }
  return out;
}

/** An independent reading of Action/NotAction: IAM's case-insensitive `*`/`?` glob over the whole action. */
function referenceMatches(s: CompiledStatement, action: string): boolean {
  const globs = (s.actions ?? s.notActions ?? []).map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'is',
      ),
  );
  const hit = globs.some((re) => re.test(action));
  return s.notActions ? !hit : hit || s.actionUnknown;
}

/** Deep equality of large result lists (jest's toEqual on 20,000 objects is slow); toEqual shows a difference. */
function same(actual: unknown, expected: unknown): void {
  if (!deepEqual(actual, expected)) expect(actual).toEqual(expected);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

const catalog = awsAllActions();
/**
 * Random scenarios per property. Each checks the whole catalog against the slow reference (about
 * 0.2 s a scenario), so `npm test` runs 50 with a fixed seed; BH_PROPERTY_RUNS=1000 searches deeper.
 */
const RUNS = Number(process.env.BH_PROPERTY_RUNS ?? 50);
/** Extra queries beyond the catalog: patterns, case variants, actions the catalog does not know, no colon. */
const EXTRA = ['ec2:*', 'S3:GetObject', 'iam:Pass*', 'newservice:Launch', 'iam', 's3:getobject', '*', 'unknownsvc:DoThing', ':GetObject'];

describe('full-catalog effective permissions: optimized = reference', () => {
  test('the frozen all-actions list is the catalog, service by service', () => {
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(catalog).toEqual(awsServicePrefixes().flatMap((s) => [...awsActionsOfService(s)]));
    expect(catalog.length).toBeGreaterThan(15000);
  });

  test('allowedActions and grantedActions give the reference answers on random policies (fast-check)', () => {
    let nonEmpty = 0;
    let partial = 0;
    let broad = 0;
    fc.assert(
      fc.property(scenario, fc.boolean(), (s, withTarget) => {
        const { p, scp } = principalOf(s);
        const target: ResourceTarget | undefined = withTarget ? { glob: 'arn:aws:s3:::datasets/key' } : undefined;
        // The frozen catalog (indexed once, shared by every role) and a plain copy with extras (indexed per call).
        const expected = referenceAllowed(p, scp, catalog, target);
        same(p.allowedActions(catalog, target), expected);
        const mixed = [...EXTRA.slice(0, 3), ...catalog.slice(0, 4000), ...EXTRA.slice(3), ...catalog.slice(12000, 14000)];
        same(p.allowedActions(mixed, target), referenceAllowed(p, scp, mixed, target));
        same(p.grantedActions(), referenceGranted(p, scp));
        if (expected.length > 0) nonEmpty++;
        if (expected.length > 0 && expected.length < catalog.length / 2) partial++;
        if (expected.length >= catalog.length / 2) broad++;
      }),
      { numRuns: RUNS, seed: 0x5eed13 },
    );
    // The generator must produce roles that may do some but not all of the catalog, or this proves little.
    expect(nonEmpty).toBeGreaterThan(RUNS / 4);
    expect(partial).toBeGreaterThan(RUNS / 7);
    expect(broad).toBeGreaterThan(RUNS / 20);
  });

  test('each statement matches actions as an independent reading of its patterns does', () => {
    const sample = [...catalog.filter((_, i) => i % 7 === 0), ...EXTRA.filter((a) => !/[*?]/.test(a))];
    fc.assert(
      fc.property(scenario, (s) => {
        const { p, scp } = principalOf(s);
        for (const st of [...p.identityStatements, ...(p.boundaryStatements ?? []), ...scp]) {
          for (const a of sample) {
            if (st.matchesAction(a.toLowerCase()) !== referenceMatches(st, a)) {
              throw new Error(`${JSON.stringify(st.actions ?? st.notActions)} on ${a}: ${st.matchesAction(a.toLowerCase())}`);
            }
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: 0x5eed14 },
    );
  });

  test('a role of several services: only the granted services, the Deny and the boundary applied', () => {
    const { p } = principalOf({
      identity: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['s3:Get*', 'ec2:DescribeVpcs', 'iam:PassRole'], Resource: '*' },
            { Effect: 'Deny', Action: 's3:GetObject*', Resource: '*' },
          ],
        },
      ],
      managed: [],
      boundary: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' }] },
      scp: undefined,
    } as unknown as Scenario);
    const allowed = p.allowedActions(catalog).map((r) => r.action);
    expect(allowed).toContain('ec2:DescribeVpcs');
    expect(allowed).toContain('s3:GetBucketPolicy');
    expect(allowed).not.toContain('s3:GetObject');
    expect(allowed).not.toContain('iam:PassRole'); // outside the boundary
    expect(allowed.every((a) => a.startsWith('s3:Get') || a === 'ec2:DescribeVpcs')).toBe(true);
  });
});
