// Every response schema of the API, by name (the OpenAPI document is generated from these and the request schemas).
export * from './deploy.js';
export * from './health.js';
export * from './silence.js';
export * from './review.js';
export * from './session.js';
export * from './tuning.js';
