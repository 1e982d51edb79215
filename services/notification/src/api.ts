/** The sync contract of lifeboat-notification-<stage>-api: @lifeboat/service-api's contracts/notification.ts. */
export type { NotificationOperations } from '@lifeboat/service-api';
