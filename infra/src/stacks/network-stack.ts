import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group';
import type { LakeKey } from '../constructs/lake-key';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** VPC flow-log aggregation: 10 minutes (the maximum) — enough to see who talked to whom, a tenth of the records of 1 minute. */
export const FLOW_LOG_AGGREGATION_SECONDS = 600;

export interface NetworkStackProps extends IngestLakeStackProps {
  /** Encrypts the flow logs. */
  key: LakeKey;
}

/**
 * The VPC: public and private subnets over ≥ 2 AZs, an internet gateway, NAT by config (single or
 * per AZ) for the vendor API, an S3 gateway endpoint, the configured interface endpoints in the
 * egress subnets, and VPC flow logs.
 *
 * Egress subnets are the private subnets of the AZs that have a NAT gateway: the collector runs there
 * and the interface endpoints live there. With `single`, one AZ holds the NAT, the collector and the
 * endpoints: an outage of that AZ stops the collector's daily run until it recovers (the missed-run
 * alarm fires) — the collector's other AZs would have had no route to the vendor API either. `per-az`
 * buys AZ independence for one NAT gateway per extra AZ.
 */
export class NetworkStack extends IngestLakeStack {
  readonly vpc: Vpc;
  readonly privateSubnets: Subnet[] = [];
  readonly publicSubnets: Subnet[] = [];
  /** Private subnets whose AZ has its own NAT gateway: where the collector and the interface endpoints are. */
  readonly egressSubnets: Subnet[] = [];

  constructor(scope: Construct, props: NetworkStackProps) {
    super(scope, 'network', props.config);
    const { config, key } = props;
    const zones = new DataAwsAvailabilityZones(this, 'zones', { state: 'available' });
    this.vpc = new Vpc(this, 'vpc', { cidrBlock: config.network.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: this.name('vpc') } });
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id });
    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: this.vpc.id, tags: { Name: this.name('public') } });
    new Route(this, 'public-default', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    const privateRoutes: RouteTable[] = [];
    const natCount = config.network.natGateways === 'none' ? 0 : config.network.natGateways === 'single' ? 1 : config.network.azCount;
    const nats: NatGateway[] = [];
    for (let az = 0; az < config.network.azCount; az++) {
      const zone = Fn.element(zones.names, az);
      const publicSubnet = new Subnet(this, `public-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(config.network.cidr, 4, az),
        mapPublicIpOnLaunch: false,
        tags: { Name: this.name(`public-${az}`), tier: 'public' },
      });
      new RouteTableAssociation(this, `public-${az}-routes`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id });
      this.publicSubnets.push(publicSubnet);
      if (az < natCount) {
        const eip = new Eip(this, `nat-${az}-ip`, { domain: 'vpc' });
        nats.push(new NatGateway(this, `nat-${az}`, { allocationId: eip.allocationId, subnetId: publicSubnet.id, dependsOn: [igw] }));
      }
      const privateSubnet = new Subnet(this, `private-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: Fn.cidrsubnet(config.network.cidr, 4, az + 8),
        tags: { Name: this.name(`private-${az}`), tier: 'private' },
      });
      const routes = new RouteTable(this, `private-${az}-routes`, { vpcId: this.vpc.id, tags: { Name: this.name(`private-${az}`) } });
      new RouteTableAssociation(this, `private-${az}-association`, { subnetId: privateSubnet.id, routeTableId: routes.id });
      privateRoutes.push(routes);
      this.privateSubnets.push(privateSubnet);
      if (az < natCount) this.egressSubnets.push(privateSubnet);
    }
    privateRoutes.forEach((routes, az) => {
      const nat = nats[Math.min(az, nats.length - 1)];
      if (nat) new Route(this, `private-${az}-default`, { routeTableId: routes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });
    });
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${config.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: privateRoutes.map((r) => r.id),
    });
    const endpointSecurityGroup = new SecurityGroup(this, 'endpoint-sg', {
      name: this.name('vpc-endpoints'),
      description: 'HTTPS from inside the VPC to interface endpoints',
      vpcId: this.vpc.id,
      ingress: [{ description: 'HTTPS from the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [config.network.cidr] }],
      egress: [],
    });
    // Only what the collector uses (the list and what is left out: INTERFACE_ENDPOINT_SERVICES); each is
    // billed per AZ-hour, so only in the egress subnets, the only ones with an instance.
    for (const service of config.network.interfaceEndpoints) {
      new VpcEndpoint(this, `endpoint-${service}`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${config.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.egressSubnets.map((s) => s.id),
        securityGroupIds: [endpointSecurityGroup.id],
      });
    }
    const flowLogs = new EncryptedLogGroup(this, 'flow-logs', { logGroupName: `/aws/vpc/${this.name('flow-logs')}`, key });
    const flowRole = new ServiceRole(this, 'flow-logs-role', { roleName: this.name('flow-logs'), servicePrincipal: 'vpc-flow-logs.amazonaws.com', guard: 'source-account' });
    flowLogs.grantWrite(flowRole);
    flowLogs.grantDescribeStreams(flowRole);
    new FlowLog(this, 'flow-log', { vpcId: this.vpc.id, trafficType: 'ALL', logDestination: flowLogs.arn, iamRoleArn: flowRole.arn, maxAggregationInterval: FLOW_LOG_AGGREGATION_SECONDS });
  }
}
