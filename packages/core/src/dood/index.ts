export { resolveHostPath } from './resolve-host-path.js';
export { PathNotShareableError } from './path-not-shareable-error.js';
export { locateSelf, type SelfLocation } from './detect-self.js';
export type { OwnMount } from './mount-table.js';
export type { DaemonSource } from './translate-path.js';
export { doctor, type DoctorReport, type DoctorFinding } from './doctor.js';
