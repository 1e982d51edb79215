/**
 * Inputs and results of each service's API operations: the sync contract between the gateway
 * (and other services) and a service's `api` function. Ids are DRS ids where they exist.
 */
export type ExecutionMode = 'DRILL' | 'RECOVERY';
export type LaunchOrder = 'PARALLEL' | 'SEQUENTIAL';
export type Criticality = 'CRITICAL' | 'OPTIONAL';

