// `@tooldock/core/charliecloud`: no daemon — `connect({ runtime: 'charliecloud' })` runs tools with
// ch-run as you (docs/clusters.md); the engine class and the store's image type.
export { CharliecloudEngine } from '../backends/charliecloud/charliecloud-engine.js';
export type { CharliecloudOptions } from '../backends/charliecloud/charliecloud-options.js';
export type { CharliecloudDoctorReport } from '../diagnose/doctor-report.js';
export type { ReadyImage } from '../backends/image-store/image-store.js';
