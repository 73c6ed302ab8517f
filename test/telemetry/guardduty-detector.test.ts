import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ThreatDetection } from '../../lib/telemetry/guardduty-detector';

test('detector with Runtime Monitoring and EC2 agent management by default; can be turned off', () => {
  const stack = new Stack(new App(), 'S');
  new ThreatDetection(stack, 'On');
  new ThreatDetection(stack, 'Off', { runtimeMonitoring: false });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::GuardDuty::Detector', {
    Enable: true,
    FindingPublishingFrequency: 'FIFTEEN_MINUTES',
    Features: [{ Name: 'RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EC2_AGENT_MANAGEMENT', Status: 'ENABLED' }] }],
  });
  t.hasResourceProperties('AWS::GuardDuty::Detector', {
    Features: [{ Name: 'RUNTIME_MONITORING', Status: 'DISABLED', AdditionalConfiguration: [{ Name: 'EC2_AGENT_MANAGEMENT', Status: 'DISABLED' }] }],
  });
});
