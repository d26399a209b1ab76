// Delivery: signed deliveries and a target enter; what the target answered to each try leaves (status, excerpt,
// latency, or one line on why there was no answer). Target behaviour is a result; only usage errors and bugs throw.
export { createDeliveryAgent, parseHeaderFlag, sendOnce, type DeliverOptions, type SendResult } from './send-once.js';
export { deliverWithSchedule, isDelivered, type ScheduleOptions, type TryResult } from './schedule.js';
