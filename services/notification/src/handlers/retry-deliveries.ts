import { deliveryDependencies } from '../config.js';
import { attemptDelivery } from '../delivery-service.js';

const CONCURRENCY = 8;

/**
 * Every minute: attempts every PENDING delivery whose next attempt is due (after a backoff, a
 * redrive, or an attempt that crashed and let its lease lapse). Throws after trying all if any
 * failed for a reason of the store (the next run tries again).
 */
export async function handler(): Promise<{ attempted: number }> {
  const deps = deliveryDependencies();
  const due = await deps.deliveries.due(new Date());
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const delivery = due[next++];
      if (!delivery) continue;
      try {
        await attemptDelivery(deps, delivery, new Date());
      } catch (error) {
        failures++;
        console.error(JSON.stringify({ message: 'delivery attempt failed', deliveryId: delivery.deliveryId, error: (error as { name?: string }).name ?? 'Error' }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
  if (failures > 0) throw new Error(`${failures} of ${due.length} due deliveries could not be attempted`);
  return { attempted: due.length };
}
