import { useCurrentUser } from '../auth/RequireAuth';
import type { Model } from './modelInfo';

/** What the signed-in user may do with models; the server checks again on every request. */
export function useModelAccess() {
  const me = useCurrentUser();
  const can = (permission: string) => me?.permissions.includes(permission) ?? false;
  return {
    canRegister: can('models:register'),
    canDownload: can('models:write'),
    canTry: can('playground:use'),
    // An evaluation is a job: comparing models needs jobs:create.
    canCompare: can('jobs:create'),
    // Owners delete their own adapters; administrators delete anything (base models only when unused).
    canDelete: (model: Model) => can('models:write') && (me?.role === 'admin' || model.owner_id === me?.id),
  };
}
