// The digest: alerts routed to `digest` are held and sent once a day (node-cron) as one message.
export { sendDigest, type DigestDeps } from './digest.js';
export { scheduleDigest, type DigestSchedule } from './schedule.js';
export { DigestConfig, DIGEST_CHANNEL } from '../config.js';
