import { describe, it, expect } from '@jest/globals';
import {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../src/eventbridge/event-pattern.js';
import type { EventPattern } from '../src/eventbridge/event-pattern.js';

/** [scenario, given pattern, when event, then matches?] */
type MatchCase = [string, EventPattern, unknown, boolean];

function runMatchCases(cases: MatchCase[]): void {
  it.each<MatchCase>(cases)('%s', (_scenario, pattern, event, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });
}

/** Given a malformed pattern, validation throws InvalidEventPatternError naming `path`. */
function expectInvalid(pattern: unknown, path: string, reason: RegExp): void {
  let caught: unknown;
  try {
    validateEventPattern(pattern);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidEventPatternError);
  const error = caught as InvalidEventPatternError;
  expect(error.path).toBe(path);
  expect(error.reason).toMatch(reason);
  expect(error.message).toContain(path === '' ? '<root>' : path);
}

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const macieEvent = {
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  detail: {
    'notification-type': 'ALERT_CREATED',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};

const autoScalingEvent = {
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// Doc: "Amazon EventBridge event patterns" / "Creating event patterns" (Event pattern syntax, Match values,
// Example events and event patterns).
describe('exact matching and pattern structure', () => {
  runMatchCases([
    [
      'given the EC2 termination pattern, when a terminated EC2 event arrives, then it matches',
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } },
      ec2Event,
      true,
    ],
    [
      'given the EC2 termination pattern, when the instance state is "running", then it does not match',
      { source: ['aws.ec2'], detail: { state: ['terminated'] } },
      { ...ec2Event, detail: { state: 'running' } },
      false,
    ],
    [
      'given source ["aws.ec2", "aws.fargate"], when source is "aws.fargate", then it matches (values in an array are OR-ed)',
      { source: ['aws.ec2', 'aws.fargate'] },
      { source: 'aws.fargate' },
      true,
    ],
    [
      'given a pattern field, when the event lacks that field, then it does not match',
      { source: ['aws.ec2'], account: ['111122223333'] },
      { source: 'aws.ec2' },
      false,
    ],
    [
      'given state at the top level, when state only appears inside detail, then it does not match (same nesting required)',
      { state: ['terminated'] },
      ec2Event,
      false,
    ],
    [
      'given only source, when the event has many other fields, then the other fields are ignored and it matches',
      { source: ['aws.ec2'] },
      ec2Event,
      true,
    ],
    [
      'given the Macie pattern (risk-score 80, trigger.risk 8), when the alert has those values, then it matches',
      { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } },
      macieEvent,
      true,
    ],
    [
      'given the Macie pattern, when trigger.risk is 9, then it does not match',
      { detail: { 'risk-score': [80], trigger: { risk: [8] } } },
      { ...macieEvent, detail: { ...macieEvent.detail, trigger: { risk: 9 } } },
      false,
    ],
    [
      'given "terminated", when state is "Terminated", then it does not match (exact, case-sensitive)',
      { detail: { state: ['terminated'] } },
      { detail: { state: 'Terminated' } },
      false,
    ],
    ['given the string "80", when risk-score is the number 80, then it does not match', { 'risk-score': ['80'] }, { 'risk-score': 80 }, false],
    ['given the number 80, when risk-score is the string "80", then it does not match', { 'risk-score': [80] }, { 'risk-score': '80' }, false],
    ['given 300, when the value is 300.0, then it matches (numbers compare numerically)', { 'x-limit': [300] }, JSON.parse('{"x-limit": 300.0}'), true],
    ['given 3.0e2, when the value is 300, then it matches', { 'x-limit': [3.0e2] }, { 'x-limit': 300 }, true],
    ['given true, when the value is true, then it matches', { enabled: [true] }, { enabled: true }, true],
    ['given true, when the value is the string "true", then it does not match', { enabled: [true] }, { enabled: 'true' }, false],
    ['given false, when the value is null, then it does not match', { enabled: [false] }, { enabled: null }, false],
    [
      'given two fields (AND), when only one of them matches, then it does not match',
      { source: ['aws.ec2'], region: ['eu-west-1'] },
      ec2Event,
      false,
    ],
    ['given any pattern, when the event is not an object, then it does not match', { source: ['aws.ec2'] }, 'aws.ec2', false],
    ['given any pattern, when the event is null, then it does not match', { source: ['aws.ec2'] }, null, false],
    [
      'given a nested pattern, when the intermediate field is a string, then it does not match',
      { detail: { state: ['terminated'] } },
      { detail: 'terminated' },
      false,
    ],
  ]);
});

// Doc: "Matching null values and empty strings in Amazon EventBridge event patterns".
describe('null values and empty strings', () => {
  runMatchCases([
    ['given eventVersion [""], when eventVersion is "", then it matches', { detail: { eventVersion: [''] } }, autoScalingEvent, true],
    ['given responseElements [null], when responseElements is null, then it matches', { detail: { responseElements: [null] } }, autoScalingEvent, true],
    [
      'given eventVersion [""], when eventVersion is null, then it does not match (null and "" are not interchangeable)',
      { detail: { eventVersion: [''] } },
      { detail: { eventVersion: null } },
      false,
    ],
    [
      'given responseElements [null], when responseElements is "", then it does not match',
      { detail: { responseElements: [null] } },
      { detail: { responseElements: '' } },
      false,
    ],
    ['given [null], when the field is missing, then it does not match', { detail: { responseElements: [null] } }, { detail: {} }, false],
  ]);
});

// Doc: "Arrays in Amazon EventBridge event patterns".
describe('arrays', () => {
  runMatchCases([
    [
      'given a resources list, when the event resources array shares one element, then it matches (non-empty intersection)',
      {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    [
      'given a resources list, when the event resources array shares no element, then it does not match',
      { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
      { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-other'] },
      false,
    ],
    ['given a tag, when the event tags array contains it, then it matches', { detail: { tags: ['Insider'] } }, macieEvent, true],
    ['given a value, when the event array is empty, then it does not match', { resources: ['x'] }, { resources: [] }, false],
    [
      'given a nested pattern, when the event holds an array of objects and one element matches, then it matches',
      { detail: { items: { sku: ['B-2'] } } },
      { detail: { items: [{ sku: 'A-1' }, { sku: 'B-2' }] } },
      true,
    ],
    [
      'given two nested fields, when they match only in different array elements, then it does not match (one element must match the whole sub-pattern)',
      { employees: { firstName: ['John'], lastName: ['Doe'] } },
      { employees: [{ firstName: 'John', lastName: 'Smith' }, { firstName: 'Anna', lastName: 'Doe' }] },
      false,
    ],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Prefix matching / Prefix matching while ignoring case.
describe('prefix matching', () => {
  runMatchCases([
    ['given prefix "2017-10-02", when time is "2017-10-02T18:43:48Z", then it matches', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    ['given prefix "2017-10-02", when time is "2017-10-03T00:00:00Z", then it does not match', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T00:00:00Z' }, false],
    [
      'given Auto Scaling events from European regions, when region is "eu-west-1", then it matches',
      { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
      { source: 'aws.autoscaling', region: 'eu-west-1' },
      true,
    ],
    [
      'given Auto Scaling events from European regions, when region is "us-east-1", then it does not match',
      { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] },
      autoScalingEvent,
      false,
    ],
    ['given a prefix, when the value is a number, then it does not match (string values only)', { code: [{ prefix: '12' }] }, { code: 123 }, false],
    ['given prefix "us-", when the value is exactly "us-", then it matches', { region: [{ prefix: 'us-' }] }, { region: 'us-' }, true],
    [
      'given prefix equals-ignore-case "EventB", when service is "eventbridge", then it matches',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      { detail: { service: 'eventbridge' } },
      true,
    ],
    [
      'given prefix equals-ignore-case "EventB", when service is "EVENTBRIDGE", then it matches',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      { detail: { service: 'EVENTBRIDGE' } },
      true,
    ],
    [
      'given prefix equals-ignore-case "EventB", when service is "MyEventBridge", then it does not match',
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      { detail: { service: 'MyEventBridge' } },
      false,
    ],
    ['given case-sensitive prefix "EventB", when service is "eventbridge", then it does not match', { service: [{ prefix: 'EventB' }] }, { service: 'eventbridge' }, false],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Suffix matching / Suffix matching while ignoring case.
describe('suffix matching', () => {
  runMatchCases([
    ['given suffix ".png", when FileName is "photo.png", then it matches', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.png' }, true],
    ['given suffix ".png", when FileName is "photo.jpg", then it does not match', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.jpg' }, false],
    ['given suffix ".png", when FileName is "photo.PNG", then it does not match (case-sensitive)', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.PNG' }, false],
    [
      'given suffix equals-ignore-case ".png", when FileName is "PHOTO.PNG", then it matches',
      { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      { detail: { FileName: 'PHOTO.PNG' } },
      true,
    ],
    [
      'given suffix equals-ignore-case "tBridge", when service is "EVENTBRIDGE", then it matches',
      { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] },
      { service: 'EVENTBRIDGE' },
      true,
    ],
    [
      'given suffix equals-ignore-case ".png", when FileName is "photo.png.bak", then it does not match',
      { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      { FileName: 'photo.png.bak' },
      false,
    ],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Equals-ignore-case matching.
describe('equals-ignore-case matching', () => {
  runMatchCases([
    ['given equals-ignore-case "alice", when Name is "Alice", then it matches', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' }, true],
    ['given equals-ignore-case "alice", when Name is "ALICE", then it matches', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
    ['given equals-ignore-case "alice", when Name is "Alicia", then it does not match', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false],
    ['given equals-ignore-case "1", when the value is the number 1, then it does not match', { Name: [{ 'equals-ignore-case': '1' }] }, { Name: 1 }, false],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Anything-but matching (strings, numbers, lists,
// prefixes, suffixes, ignoring case, wildcards).
describe('anything-but matching', () => {
  runMatchCases([
    ['given anything-but "initializing", when state is "running", then it matches', { detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'running' } }, true],
    [
      'given anything-but "initializing", when state is "initializing", then it does not match',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      { detail: { state: 'initializing' } },
      false,
    ],
    [
      'given anything-but "initializing", when state is missing, then it does not match (the field must exist)',
      { detail: { state: [{ 'anything-but': 'initializing' }] } },
      { detail: {} },
      false,
    ],
    ['given anything-but 123, when x-limit is 456, then it matches', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 456 } }, true],
    ['given anything-but 123, when x-limit is 123.0, then it does not match', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, JSON.parse('{"detail": {"x-limit": 123.0}}'), false],
    [
      'given anything-but ["stopped", "overloaded"], when state is "running", then it matches',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      { detail: { state: 'running' } },
      true,
    ],
    [
      'given anything-but ["stopped", "overloaded"], when state is "overloaded", then it does not match',
      { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      { detail: { state: 'overloaded' } },
      false,
    ],
    [
      'given anything-but [100, 200, 300], when x-limit is 150, then it matches',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      { detail: { 'x-limit': 150 } },
      true,
    ],
    [
      'given anything-but [100, 200, 300], when x-limit is 200, then it does not match',
      { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      { detail: { 'x-limit': 200 } },
      false,
    ],
    [
      'given anything-but "AWS API Call via CloudTrail", when detail-type is an EC2 notification, then it matches',
      { 'detail-type': [{ 'anything-but': 'AWS API Call via CloudTrail' }] },
      ec2Event,
      true,
    ],
    [
      'given anything-but ["aws.ec2", "aws.s3"], when source is "aws.ec2", then it does not match',
      { source: [{ 'anything-but': ['aws.ec2', 'aws.s3'] }] },
      ec2Event,
      false,
    ],
    [
      'given anything-but prefix "init", when state is "running", then it matches',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { state: 'running' } },
      true,
    ],
    [
      'given anything-but prefix "init", when state is "initializing", then it does not match',
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { state: 'initializing' } },
      false,
    ],
    [
      'given anything-but prefix "aws.", when source is a custom "com.mycompany.app", then it matches',
      { source: [{ 'anything-but': { prefix: 'aws.' } }] },
      { source: 'com.mycompany.app' },
      true,
    ],
    ['given anything-but prefix "aws.", when source is "aws.ec2", then it does not match', { source: [{ 'anything-but': { prefix: 'aws.' } }] }, ec2Event, false],
    [
      'given anything-but suffix ".png", when FileName is "notes.txt", then it matches',
      { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
      { detail: { FileName: 'notes.txt' } },
      true,
    ],
    [
      'given anything-but suffix ".png", when FileName is "photo.png", then it does not match',
      { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
      { detail: { FileName: 'photo.png' } },
      false,
    ],
    [
      'given anything-but equals-ignore-case "initializing", when state is "INITIALIZING", then it does not match',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
      { detail: { state: 'INITIALIZING' } },
      false,
    ],
    [
      'given anything-but equals-ignore-case "initializing", when state is "Running", then it matches',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } },
      { detail: { state: 'Running' } },
      true,
    ],
    [
      'given anything-but equals-ignore-case ["initializing", "stopped"], when state is "Stopped", then it does not match',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } },
      { detail: { state: 'Stopped' } },
      false,
    ],
    [
      'given anything-but wildcard "*/lib/*", when FilePath is "/usr/bin/tool", then it matches',
      { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
      { detail: { FilePath: '/usr/bin/tool' } },
      true,
    ],
    [
      'given anything-but wildcard "*/lib/*", when FilePath is "/usr/lib/libc.so", then it does not match',
      { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
      { detail: { FilePath: '/usr/lib/libc.so' } },
      false,
    ],
    [
      'given anything-but wildcard ["*/lib/*", "*/bin/*"], when FilePath is "/usr/bin/tool", then it does not match',
      { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } },
      { detail: { FilePath: '/usr/bin/tool' } },
      false,
    ],
    [
      'given anything-but "stopped", when state is the array ["stopped", "running"], then it matches (any element may match)',
      { state: [{ 'anything-but': 'stopped' }] },
      { state: ['stopped', 'running'] },
      true,
    ],
    [
      'given anything-but a string list, when the value is a number, then it matches (a number is not an excluded string)',
      { state: [{ 'anything-but': ['stopped'] }] },
      { state: 3 },
      true,
    ],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Numeric matching.
describe('numeric matching', () => {
  const docPattern: EventPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  runMatchCases([
    ['given c-count > 0 and <= 5, when c-count is 5, then it matches (inclusive upper bound)', { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'c-count': 5 }, true],
    ['given c-count > 0 and <= 5, when c-count is 0, then it does not match (exclusive lower bound)', { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'c-count': 0 }, false],
    ['given c-count > 0 and <= 5, when c-count is 2.5, then it matches', { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'c-count': 2.5 }, true],
    ['given c-count > 0 and <= 5, when c-count is 5.000001, then it does not match', { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'c-count': 5.000001 }, false],
    ['given d-count < 10, when d-count is 10, then it does not match', { 'd-count': [{ numeric: ['<', 10] }] }, { 'd-count': 10 }, false],
    ['given d-count < 10, when d-count is -3, then it matches', { 'd-count': [{ numeric: ['<', 10] }] }, { 'd-count': -3 }, true],
    ['given x-limit = 3.018e2, when x-limit is 301.8, then it matches', { 'x-limit': [{ numeric: ['=', 3.018e2] }] }, { 'x-limit': 301.8 }, true],
    ['given x-limit = 3.018e2, when x-limit is 301.9, then it does not match', { 'x-limit': [{ numeric: ['=', 3.018e2] }] }, { 'x-limit': 301.9 }, false],
    ['given Price >= 10 and < 20, when Price is 10, then it matches', { Price: [{ numeric: ['>=', 10, '<', 20] }] }, { Price: 10 }, true],
    ['given Price > 10 and <= 20, when Price is 20, then it matches', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
    ['given Price = 100, when Price is the string "100", then it does not match (JSON numbers only)', { Price: [{ numeric: ['=', 100] }] }, { Price: '100' }, false],
    ['given Price > 10, when Price is an array [1, 50], then it matches (any element)', { Price: [{ numeric: ['>', 10] }] }, { Price: [1, 50] }, true],
    ['given the documented three-field pattern, when all three fields satisfy it, then it matches', docPattern, { detail: { 'c-count': 3, 'd-count': 9, 'x-limit': 301.8 } }, true],
    ['given the documented three-field pattern, when d-count is 10, then it does not match', docPattern, { detail: { 'c-count': 3, 'd-count': 10, 'x-limit': 301.8 } }, false],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — IP address matching.
describe('IP address (cidr) matching', () => {
  runMatchCases([
    ['given cidr 10.0.0.0/24, when sourceIPAddress is 10.0.0.255, then it matches', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.0.255' } }, true],
    ['given cidr 10.0.0.0/24, when sourceIPAddress is 10.0.0.0, then it matches', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.0.0' } }, true],
    ['given cidr 10.0.0.0/24, when sourceIPAddress is 10.0.1.1, then it does not match', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.1.1' } }, false],
    ['given cidr 10.0.0.0/24, when sourceIPAddress is not an IP address, then it does not match', { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }, { sourceIPAddress: 'example.com' }, false],
    ['given cidr 192.168.1.7/32, when the address is 192.168.1.7, then it matches', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.7' }, true],
    ['given cidr 192.168.1.7/32, when the address is 192.168.1.8, then it does not match', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.8' }, false],
    ['given cidr 0.0.0.0/0, when the address is any IPv4 address, then it matches', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '203.0.113.9' }, true],
    ['given cidr 172.16.0.0/12, when the address is 172.31.255.1, then it matches', { ip: [{ cidr: '172.16.0.0/12' }] }, { ip: '172.31.255.1' }, true],
    ['given cidr 172.16.0.0/12, when the address is 172.32.0.1, then it does not match', { ip: [{ cidr: '172.16.0.0/12' }] }, { ip: '172.32.0.1' }, false],
    ['given IPv6 cidr 2001:db8::/32, when the address is 2001:db8:1::1, then it matches', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8:1::1' }, true],
    ['given IPv6 cidr 2001:db8::/32, when the address is 2001:db9::1, then it does not match', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
    ['given IPv6 cidr ::ffff:10.0.0.0/120, when the address is ::ffff:10.0.0.7, then it matches', { ip: [{ cidr: '::ffff:10.0.0.0/120' }] }, { ip: '::ffff:10.0.0.7' }, true],
    ['given an IPv4 cidr, when the address is IPv6, then it does not match', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }, false],
    ['given a cidr, when the value is a number, then it does not match', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 167772160 }, false],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Exists matching.
describe('exists matching', () => {
  runMatchCases([
    [
      'given detail.state exists true, when the EC2 event has detail.state "pending", then it matches',
      { detail: { state: [{ exists: true }] } },
      { ...ec2Event, detail: { 'instance-id': 'i-abcd1111', state: 'pending' } },
      true,
    ],
    [
      'given detail.state exists true, when detail has only c-count, then it does not match',
      { detail: { state: [{ exists: true }] } },
      { detail: { 'c-count': { c1: 100 } } },
      false,
    ],
    ['given c-count exists false, when detail has no c-count, then it matches', { detail: { 'c-count': [{ exists: false }] } }, { detail: { state: ['initializing', 'running'] } }, true],
    ['given c-count exists false, when c-count is 5, then it does not match', { detail: { 'c-count': [{ exists: false }] } }, { detail: { 'c-count': 5 } }, false],
    [
      'given c-count exists false, when c-count is an object, then it matches (c-count is not a leaf node)',
      { detail: { 'c-count': [{ exists: false }] } },
      { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } },
      true,
    ],
    [
      'given c-count exists true, when c-count is an object, then it does not match (exists only works on leaf nodes)',
      { detail: { 'c-count': [{ exists: true }] } },
      { detail: { 'c-count': { c1: 100 } } },
      false,
    ],
    ['given description exists true, when description is null, then it matches (null is a JSON value)', { detail: { description: [{ exists: true }] } }, { detail: { description: null } }, true],
    ['given c-count exists false, when the whole detail object is missing, then it matches', { detail: { 'c-count': [{ exists: false }] } }, { source: 'aws.ec2' }, true],
    ['given tags exists true, when tags is an empty array, then it does not match (no leaf values)', { tags: [{ exists: true }] }, { tags: [] }, false],
    ['given ["a", { exists: false }], when the field is absent, then it matches', { mode: ['a', { exists: false }] }, {}, true],
    ['given ["a", { exists: false }], when the field is "a", then it matches', { mode: ['a', { exists: false }] }, { mode: 'a' }, true],
    ['given ["a", { exists: false }], when the field is "b", then it does not match', { mode: ['a', { exists: false }] }, { mode: 'b' }, false],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Wildcard matching.
describe('wildcard matching', () => {
  runMatchCases([
    [
      'given EventBusArn wildcard "arn:aws:events:us-east-1:*:event-bus/*", when the ARN is a us-east-1 bus, then it matches',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      true,
    ],
    [
      'given EventBusArn wildcard "arn:aws:events:us-east-1:*:event-bus/*", when the ARN is in us-west-2, then it does not match',
      { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' },
      false,
    ],
    ['given wildcard "dir/*.png", when FilePath is "dir/file.png", then it matches', { FilePath: [{ wildcard: 'dir/*.png' }] }, { FilePath: 'dir/file.png' }, true],
    ['given wildcard "dir/*.png", when FilePath is "dir/sub/file.png", then it matches (* spans any characters)', { FilePath: [{ wildcard: 'dir/*.png' }] }, { FilePath: 'dir/sub/file.png' }, true],
    ['given wildcard "dir/*.png", when FilePath is "dir/.png", then it matches (* may be empty)', { FilePath: [{ wildcard: 'dir/*.png' }] }, { FilePath: 'dir/.png' }, true],
    ['given wildcard "dir/*.png", when FilePath is "dir/file.jpg", then it does not match', { FilePath: [{ wildcard: 'dir/*.png' }] }, { FilePath: 'dir/file.jpg' }, false],
    ['given wildcard "dir/*.png", when FilePath is "other/file.png", then it does not match', { FilePath: [{ wildcard: 'dir/*.png' }] }, { FilePath: 'other/file.png' }, false],
    ['given wildcard "*", when the value is "", then it matches', { name: [{ wildcard: '*' }] }, { name: '' }, true],
    ['given wildcard "*", when the value is a number, then it does not match (string values only)', { name: [{ wildcard: '*' }] }, { name: 7 }, false],
    ['given escaped wildcard "dir/\\*.png", when FilePath is literally "dir/*.png", then it matches', { FilePath: [{ wildcard: 'dir/\\*.png' }] }, { FilePath: 'dir/*.png' }, true],
    ['given escaped wildcard "dir/\\*.png", when FilePath is "dir/file.png", then it does not match', { FilePath: [{ wildcard: 'dir/\\*.png' }] }, { FilePath: 'dir/file.png' }, false],
    ['given wildcard "C:\\\\*" (escaped backslash), when path is "C:\\temp", then it matches', { path: [{ wildcard: 'C:\\\\*' }] }, { path: 'C:\\temp' }, true],
    ['given wildcard "*ab*ab", when the value is "abab", then it matches', { v: [{ wildcard: '*ab*ab' }] }, { v: 'abab' }, true],
    ['given wildcard "*ab*ab", when the value is "aab", then it does not match', { v: [{ wildcard: '*ab*ab' }] }, { v: 'aab' }, false],
    ['given wildcard "a*b*c", when the value is "abc", then it matches', { v: [{ wildcard: 'a*b*c' }] }, { v: 'abc' }, true],
    ['given wildcard "a*a", when the value is "a", then it does not match (prefix and suffix may not overlap)', { v: [{ wildcard: 'a*a' }] }, { v: 'a' }, false],
    ['given wildcard "exact" (no *), when the value is "exact", then it matches', { v: [{ wildcard: 'exact' }] }, { v: 'exact' }, true],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Or matching ($or).
describe('$or matching', () => {
  const detailOr: EventPattern = {
    detail: {
      $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }],
    },
  };
  const cloudWatchOr: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/RDS'] }],
  };
  const nestedOr: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      { metricType: ['MetricType'], $or: [{ metricId: [1234, 4321] }, { spaceId: [1000, 2000, 3000] }] },
    ],
  };
  runMatchCases([
    ['given detail $or of c-count/d-count/x-limit, when only x-limit is 301.8, then it matches', detailOr, { detail: { 'x-limit': 301.8 } }, true],
    ['given detail $or of c-count/d-count/x-limit, when d-count is 3, then it matches', detailOr, { detail: { 'd-count': 3, 'c-count': 99 } }, true],
    ['given detail $or of c-count/d-count/x-limit, when no branch holds, then it does not match', detailOr, { detail: { 'c-count': 99, 'd-count': 10 } }, false],
    ['given source and $or metricName/namespace, when namespace is "AWS/RDS", then it matches', cloudWatchOr, { source: 'aws.cloudwatch', namespace: 'AWS/RDS' }, true],
    ['given source and $or metricName/namespace, when metricName is "CPUUtilization", then it matches', cloudWatchOr, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' }, true],
    [
      'given source and $or, when a branch matches but source does not, then it does not match (AND with the other fields)',
      cloudWatchOr,
      { source: 'aws.ec2', metricName: 'CPUUtilization' },
      false,
    ],
    ['given nested $or, when metricType matches and spaceId is 2000, then it matches', nestedOr, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 2000 }, true],
    ['given nested $or, when metricType matches but neither metricId nor spaceId does, then it does not match', nestedOr, { source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 5 }, false],
    ['given nested $or, when metricId matches but metricType is missing, then it does not match', nestedOr, { source: 'aws.cloudwatch', metricId: 1234 }, false],
    [
      'given $or branches with nested objects, when the nested branch matches, then it matches',
      { $or: [{ detail: { state: ['running'] } }, { source: ['custom.app'] }] },
      { source: 'aws.ec2', detail: { state: 'running' } },
      true,
    ],
  ]);
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Complex example with multiple matching.
describe('complex example with multiple matching', () => {
  const complex: EventPattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
    },
  };
  const matching = { time: '2017-10-02T18:43:48Z', detail: { state: 'running', 'c-count': 1, 'd-count': 2, 'x-limit': 150 } };
  runMatchCases([
    ['given the combined pattern, when every condition holds, then it matches', complex, matching, true],
    ['given the combined pattern, when x-limit is an excluded 300, then it does not match', complex, { ...matching, detail: { ...matching.detail, 'x-limit': 300 } }, false],
    ['given the combined pattern, when state is "initializing", then it does not match', complex, { ...matching, detail: { ...matching.detail, state: 'initializing' } }, false],
  ]);

  it('given a compiled pattern, when it is reused for several events, then each is evaluated independently', () => {
    const matches = compileEventPattern(complex);
    expect(matches(matching)).toBe(true);
    expect(matches({ ...matching, time: '2018-01-01T00:00:00Z' })).toBe(false);
    expect(matches(matching)).toBe(true);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" / "Creating event patterns" — what makes a pattern invalid.
describe('validation of malformed patterns', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['the root is null', null, '', /must be a JSON object/],
    ['the root is an array', [{ source: ['aws.ec2'] }], '', /must be a JSON object/],
    ['the root is an empty object', {}, '', /empty objects/],
    ['a top-level leaf is a bare string instead of an array', { source: 'aws.ec2' }, 'source', /array of match values or a nested object/],
    ['a nested leaf is a bare number', { detail: { 'risk-score': 80 } }, 'detail.risk-score', /array of match values/],
    ['a nested object is empty', { detail: {} }, 'detail', /empty objects/],
    ['a match array is empty', { source: [] }, 'source', /empty arrays/],
    ['a match array nests an array', { source: [['aws.ec2']] }, 'source[0]', /nested arrays/],
    ['an operator is unknown ("contains")', { detail: { state: [{ contains: 'run' }] } }, 'detail.state[0]', /unknown operator "contains"/],
    ['a content filter has two operators', { state: [{ prefix: 'a', suffix: 'b' }] }, 'state[0]', /exactly one operator/],
    ['a content filter is empty', { state: [{}] }, 'state[0]', /exactly one operator, got none/],
    ['a match value is a non-finite number', { n: [Number.POSITIVE_INFINITY] }, 'n[0]', /finite/],
    ['prefix is a number', { time: [{ prefix: 2017 }] }, 'time[0].prefix', /"prefix" must be a string/],
    ['prefix equals-ignore-case is not a string', { s: [{ prefix: { 'equals-ignore-case': 1 } }] }, 's[0].prefix', /equals-ignore-case/],
    ['prefix object uses another key', { s: [{ prefix: { wildcard: 'a*' } }] }, 's[0].prefix', /equals-ignore-case/],
    ['suffix is a list', { FileName: [{ suffix: ['.png', '.jpg'] }] }, 'FileName[0].suffix', /"suffix" must be a string/],
    ['equals-ignore-case is a number', { Name: [{ 'equals-ignore-case': 5 }] }, 'Name[0].equals-ignore-case', /must be a string/],
    ['wildcard has consecutive wildcard characters', { FilePath: [{ wildcard: 'dir/**.png' }] }, 'FilePath[0].wildcard', /consecutive wildcard characters/],
    ['wildcard escapes a character other than * or \\', { FilePath: [{ wildcard: 'dir\\d' }] }, 'FilePath[0].wildcard', /invalid escape/],
    ['wildcard ends with a lone backslash', { FilePath: [{ wildcard: 'dir\\' }] }, 'FilePath[0].wildcard', /invalid escape/],
    ['wildcard is not a string', { FilePath: [{ wildcard: ['a*'] }] }, 'FilePath[0].wildcard', /must be a string/],
    ['anything-but is a boolean', { state: [{ 'anything-but': true }] }, 'state[0].anything-but', /"anything-but" must be/],
    ['anything-but is null', { state: [{ 'anything-but': null }] }, 'state[0].anything-but', /"anything-but" must be/],
    ['anything-but mixes strings and numbers', { state: [{ 'anything-but': ['a', 1] }] }, 'state[0].anything-but', /only strings or only numbers/],
    ['anything-but is an empty list', { state: [{ 'anything-but': [] }] }, 'state[0].anything-but', /empty arrays/],
    ['anything-but prefix is a list', { state: [{ 'anything-but': { prefix: ['a', 'b'] } }] }, 'state[0].anything-but.prefix', /must be a string/],
    ['anything-but uses an unknown operator', { state: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'state[0].anything-but', /unknown operator "numeric"/],
    ['anything-but wildcard has "**"', { p: [{ 'anything-but': { wildcard: ['ok*', 'bad**'] } }] }, 'p[0].anything-but.wildcard[1]', /consecutive wildcard/],
    ['anything-but equals-ignore-case is an empty list', { p: [{ 'anything-but': { 'equals-ignore-case': [] } }] }, 'p[0].anything-but.equals-ignore-case', /non-empty list of strings/],
    ['numeric is not an array', { n: [{ numeric: '>5' }] }, 'n[0].numeric', /"numeric" expected/],
    ['numeric has an odd number of operands', { n: [{ numeric: ['>', 0, '<'] }] }, 'n[0].numeric', /"numeric" expected/],
    ['numeric has three comparisons', { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, 'n[0].numeric', /"numeric" expected/],
    ['numeric uses an unknown comparator', { n: [{ numeric: ['!=', 5] }] }, 'n[0].numeric[0]', /unknown numeric comparator/],
    ['numeric compares against a string', { n: [{ numeric: ['>', '5'] }] }, 'n[0].numeric[1]', /needs a number/],
    ['numeric range has two lower bounds', { n: [{ numeric: ['>', 0, '>=', 5] }] }, 'n[0].numeric', /one lower bound .* and one upper bound/],
    ['numeric range uses "="', { n: [{ numeric: ['=', 0, '<', 5] }] }, 'n[0].numeric', /one lower bound/],
    ['numeric range lower bound is not below the upper bound', { n: [{ numeric: ['>', 10, '<', 5] }] }, 'n[0].numeric', /must be less than upper bound/],
    ['numeric value is out of the documented range', { n: [{ numeric: ['<', 6e9] }] }, 'n[0].numeric[1]', /limited to/],
    ['exists is the string "true"', { state: [{ exists: 'true' }] }, 'state[0].exists', /true or false/],
    ['cidr prefix length exceeds 32', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /prefix length/],
    ['cidr IPv6 prefix length exceeds 128', { ip: [{ cidr: '2001:db8::/129' }] }, 'ip[0].cidr', /prefix length/],
    ['cidr has only three octets', { ip: [{ cidr: '10.0.0/24' }] }, 'ip[0].cidr', /IPv4 or IPv6 address/],
    ['cidr has an octet above 255', { ip: [{ cidr: '300.0.0.1/8' }] }, 'ip[0].cidr', /IPv4 or IPv6 address/],
    ['cidr is a number', { ip: [{ cidr: 10 }] }, 'ip[0].cidr', /must be a string/],
    ['$or is not an array', { $or: { source: ['a'] } }, '$or', /non-empty array of patterns/],
    ['$or is an empty array', { $or: [] }, '$or', /non-empty array/],
    ['a $or branch is a match array instead of a pattern', { $or: [['a'], { source: ['b'] }] }, '$or[0]', /must be a JSON object/],
    ['a $or branch contains an invalid leaf', { detail: { $or: [{ a: ['x'] }, { b: 'y' }] } }, 'detail.$or[1].b', /array of match values/],
    ['a field name contains a dot', { 'a.b': 'x' }, '["a.b"]', /array of match values/],
  ])('given a pattern where %s, when validated, then it throws naming the offending path', (_scenario, pattern, path, reason) => {
    expectInvalid(pattern, path, reason);
  });

  it('given an invalid pattern, when matching, then matchesEventPattern throws instead of silently not matching', () => {
    const invalid = { source: 'aws.ec2' } as unknown as EventPattern;
    expect(() => matchesEventPattern(invalid, { source: 'aws.ec2' })).toThrow(InvalidEventPatternError);
  });

  it('given an invalid pattern, when the error is inspected, then it is an Error with a readable message', () => {
    expect(() => validateEventPattern({ detail: { state: [{ contains: 'run' }] } })).toThrow(
      'Invalid event pattern at detail.state[0]: unknown operator "contains"',
    );
    const error = new InvalidEventPatternError('x', 'bad');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventPatternError');
  });

  it.each<[string, unknown]>([
    ['EC2 state change', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }],
    ['null and empty string', { detail: { eventVersion: [''], responseElements: [null] } }],
    ['every operator', {
      a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'x' } }, { suffix: 'y' }, { suffix: { 'equals-ignore-case': 'y' } }],
      b: [{ 'equals-ignore-case': 'z' }, { wildcard: 'a*b\\*c\\\\' }, { exists: true }, { cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }],
      c: [{ numeric: ['>=', -5e9, '<=', 5e9] }, { numeric: ['<=', 10, '>', 0] }, { numeric: ['=', 0] }],
      d: [
        { 'anything-but': 'x' },
        { 'anything-but': 1 },
        { 'anything-but': ['x', 'y'] },
        { 'anything-but': [1, 2] },
        { 'anything-but': { prefix: 'p' } },
        { 'anything-but': { suffix: 's' } },
        { 'anything-but': { 'equals-ignore-case': ['a', 'b'] } },
        { 'anything-but': { wildcard: '*/lib/*' } },
      ],
      e: [true, false, null, 0, -1.5, ''],
    }],
    ['nested $or', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPU'] }, { metricType: ['T'], $or: [{ metricId: [1] }, { spaceId: [2] }] }] }],
  ])('given the valid %s pattern, when validated, then it does not throw', (_scenario, pattern) => {
    expect(() => validateEventPattern(pattern)).not.toThrow();
  });
});
