export type { DrsSourceServer, InventoryDiff, OsFamily } from './domain/inventory.js';
export { diffInventory, toSourceServerView, osFamilyOf, parseSourceServerArn } from './domain/inventory.js';
