import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';

/** Properties of a ThreatDetection. */
export interface ThreatDetectionProps {
  /**
   * Turn on GuardDuty Runtime Monitoring with automated agent management for EC2 (process-level
   * findings such as Impact:Runtime/CryptoMinerExecuted need it).
   * @default true
   */
  readonly runtimeMonitoring?: boolean;
}

/**
 * A GuardDuty detector for the account and region, with the most frequent finding publication
 * (FIFTEEN_MINUTES, the shortest for updates of existing findings; new findings are published within minutes) and, by default, Runtime Monitoring for EC2.
 *
 * Optional and separate from the violation stream: a region has at most one detector, and accounts
 * in an AWS Organization usually get theirs from the delegated GuardDuty administrator. Create this
 * only where no detector exists; the ViolationStream's rules work with any detector.
 */
export class ThreatDetection extends Construct {
  /** The GuardDuty detector. */
  public readonly detector: guardduty.CfnDetector;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps = {}) {
    super(scope, id);
    const runtime = props.runtimeMonitoring ?? true;
    this.detector = new guardduty.CfnDetector(this, 'Detector', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      features: [
        {
          name: 'RUNTIME_MONITORING',
          status: runtime ? 'ENABLED' : 'DISABLED',
          additionalConfiguration: [{ name: 'EC2_AGENT_MANAGEMENT', status: runtime ? 'ENABLED' : 'DISABLED' }],
        },
      ],
    });
  }
}
