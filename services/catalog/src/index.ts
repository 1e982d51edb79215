export type { DrsSourceServer, InventoryDiff, OsFamily, AnnouncedSourceServer } from './domain/inventory.js';
export { diffInventory, toSourceServerView, osFamilyOf, parseSourceServerArn } from './domain/inventory.js';
export { notReadyReasonOf, durationSeconds } from './domain/replication.js';
