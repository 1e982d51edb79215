/** A stack's resources and the exports of the stacks it imports from, for local evaluation. */
export interface StackContext {
  stackName: string;
  region: string;
  accountId: string;
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  exports: Record<string, string>;
}

/** The physical name of a resource, as the local runtime names it. */
export function physicalName(context: StackContext, logicalId: string): string {
  const resource = context.resources[logicalId];
  if (!resource) throw new Error(`Ref to unknown resource ${logicalId} in ${context.stackName}`);
  const props = resource.Properties ?? {};
  const named = props.TableName ?? props.QueueName ?? props.Name ?? props.TopicName ?? props.BucketName ?? props.FunctionName ?? props.RoleName;
  return typeof named === 'string' ? named : `${context.stackName}-${logicalId}`;
}

function ref(context: StackContext, name: string): string {
  switch (name) {
    case 'AWS::Region':
      return context.region;
    case 'AWS::AccountId':
      return context.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::NoValue':
      return '';
  }
  const resource = context.resources[name];
  if (!resource) throw new Error(`Ref to unknown resource ${name} in ${context.stackName}`);
  const physical = physicalName(context, name);
  if (resource.Type === 'AWS::SQS::Queue') return `http://local/queue/${context.accountId}/${physical}`;
  return physical;
}

function getAtt(context: StackContext, logicalId: string, attribute: string): string {
  const resource = context.resources[logicalId];
  if (!resource) throw new Error(`GetAtt on unknown resource ${logicalId} in ${context.stackName}`);
  const name = physicalName(context, logicalId);
  const { region, accountId } = context;
  switch (`${resource.Type}.${attribute}`) {
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
    case 'AWS::DynamoDB::Table.StreamArn':
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}/stream/local`;
    case 'AWS::SQS::Queue.Arn':
      return `arn:aws:sqs:${region}:${accountId}:${name}`;
    case 'AWS::SQS::Queue.QueueName':
      return name;
    case 'AWS::Events::EventBus.Arn':
      return `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
    case 'AWS::Events::EventBus.Name':
      return name;
    case 'AWS::SNS::Topic.TopicArn':
      return `arn:aws:sns:${region}:${accountId}:${name}`;
    case 'AWS::Lambda::Function.Arn':
      return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
    case 'AWS::IAM::Role.Arn':
      return `arn:aws:iam::${accountId}:role/${name}`;
  }
  return `arn:aws:local:${region}:${accountId}:${logicalId}/${attribute}`;
}

/** Evaluates CloudFormation intrinsic functions to plain values, as far as they make sense locally. */
export function evaluateIntrinsics(value: unknown, context: StackContext): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluateIntrinsics(v, context));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    const evaluated = () => evaluateIntrinsics(arg, context);
    switch (key) {
      case 'Ref':
        return ref(context, String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, ...attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return getAtt(context, String(logicalId), attribute.join('.'));
      }
      case 'Fn::ImportValue': {
        const name = String(evaluated());
        const exported = context.exports[name];
        if (exported === undefined) throw new Error(`Fn::ImportValue ${name}: no stack exports it`);
        return exported;
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        return template.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (variables && name in variables) return String(evaluateIntrinsics(variables[name], context));
          if (name.includes('.')) {
            const [logicalId, ...attribute] = name.split('.');
            return getAtt(context, String(logicalId), attribute.join('.'));
          }
          return ref(context, name);
        });
      }
      case 'Fn::Join': {
        const [separator, list] = evaluated() as [string, unknown[]];
        return list.map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = evaluated() as [number, unknown[]];
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = evaluated() as [string, string];
        return text.split(separator);
      }
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluateIntrinsics(v, context)]));
}
