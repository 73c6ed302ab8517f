import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** The template itself carries environment data out: a bucket agents write that another account may read or receives through replication, notifications, inventory or analytics exports; a log subscription to a foreign destination; or access keys whose secret reaches environment compute. */
export const EnvironmentDataSink = egressRule(
  {
    id: 'BlackHole-EXF1',
    name: 'EnvironmentDataSink',
    severity: 'error',
    core: true,
    info: 'The template itself carries environment data out: a bucket agents write that another account may read or receives through replication, notifications, inventory or analytics exports; a log subscription to a foreign destination; or access keys whose secret reaches environment compute.',
    explanation:
      "No agent permission is needed when the template already ships the data: S3 replicates, notifies and exports on the agent's writes, CloudWatch Logs forwards every event, and an IAM user's keys work from anywhere (ESCAPES.md 16-18, 23). Keep replication, notification, export and subscription destinations in the template and the account; confine bucket policies to the account (aws:PrincipalAccount, or service principals with aws:SourceAccount); give compute roles, never access keys.",
  },
  EgressKind.DATA_SINK,
);
