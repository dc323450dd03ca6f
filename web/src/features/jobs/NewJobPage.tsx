import { NewJobWizard } from './wizard/NewJobWizard';

export function NewJobPage() {
  return <NewJobWizard />;
}
