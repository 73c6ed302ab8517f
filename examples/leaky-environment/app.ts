/**
 * A deliberately unsafe environment that the gate must reject: a NAT path out of the black hole and
 * an agent role allowed to peer VPCs and raise its own quotas. `cdk synth` fails; so does
 * `black-hole audit`. Never deploy it.
 */
import { App, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
// In your own app: import { ... } from 'cdk-black-hole';
import { AGENT_ROLE_TAG, BlackHoleChecks, BlackHoleVpc } from '../../lib';

const app = new App();
const stack = new Stack(app, 'LeakyEnvironment');
const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'leaky' });

// Leak 1: someone "just needs pip" and adds a NAT gateway with a default route.
const eip = new ec2.CfnEIP(stack, 'NatAddress', { domain: 'vpc' });
const nat = new ec2.CfnNatGateway(stack, 'Nat', { subnetId: network.isolatedSubnets[0].subnetId, allocationId: eip.attrAllocationId });
network.isolatedSubnets.forEach((subnet, i) => {
  new ec2.CfnRoute(stack, `DefaultRoute${i}`, { routeTableId: subnet.routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.ref });
});

// Leak 2: an agent role without the boundary, allowed to peer VPCs and raise its own quotas.
const agent = new iam.Role(stack, 'Agent', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
Tags.of(agent).add(AGENT_ROLE_TAG, 'true');
agent.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:CreateVpcPeeringConnection', 'servicequotas:*'], resources: ['*'] }));

Validations.of(app).addPlugins(new BlackHoleChecks(app));
app.synth();
