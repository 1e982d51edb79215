import { InMemoryPlanningStore } from '../src/adapters/in-memory.js';
import { planningStoreContract } from './support/store-contract.js';

planningStoreContract('InMemoryPlanningStore', () => new InMemoryPlanningStore());
