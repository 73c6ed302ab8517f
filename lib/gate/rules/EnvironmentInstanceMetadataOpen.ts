import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** Environment compute lets its instance credentials be read with IMDSv1 or through more than one hop. */
export const EnvironmentInstanceMetadataOpen = egressRule(
  {
    id: 'BlackHole-NET8',
    name: 'EnvironmentInstanceMetadataOpen',
    severity: 'error',
    core: true,
    info: 'Environment compute lets its instance credentials be read with IMDSv1 or through more than one network hop.',
    explanation:
      "With IMDSv1, or a metadata hop limit above 1, a process in a container or behind a proxy on the instance can lift the agent role's credentials and use them elsewhere (ESCAPES.md 28). Launch instances from a launch template with HttpTokens required and HttpPutResponseHopLimit 1, as GpuTrainingFleet does.",
  },
  EgressKind.INSTANCE_METADATA,
);
