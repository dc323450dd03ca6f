import type { Role } from '../../api/types';

export const ROLES: Role[] = ['admin', 'engineer', 'viewer'];
// Mirrors the server's minimum so the common mistake is caught before a round trip.
export const MIN_PASSWORD_LENGTH = 8;
