import type { DynamoDBStreamEvent } from 'aws-lambda';
import { deliveryDependencies } from '../config.js';
import { attemptDelivery, isDue } from '../delivery-service.js';

/**
 * The stream of NotificationDeliveriesTable: a delivery that is due (new, or redriven) is
 * attempted at once. A failure of the store is logged, not thrown: the lease lapses and the
 * `retryDeliveries` sweeper attempts it again, so the stream never stalls.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  const deps = deliveryDependencies();
  for (const record of event.Records) {
    const deliveryId = record.dynamodb?.Keys?.deliveryId?.S;
    const status = record.dynamodb?.NewImage?.status?.S;
    if (!deliveryId || status !== 'PENDING') continue;
    try {
      const delivery = await deps.deliveries.get(deliveryId);
      if (delivery && isDue(delivery, new Date())) await attemptDelivery(deps, delivery, new Date());
    } catch (error) {
      console.error(JSON.stringify({ message: 'delivery attempt failed; the sweeper will retry it', deliveryId, error: (error as { name?: string }).name ?? 'Error' }));
    }
  }
}
