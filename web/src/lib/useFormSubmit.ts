import { useState } from 'react';
import type { FormInstance } from 'antd';
import { useI18n } from '../i18n';
import { problemsOf, showFieldErrors } from './formErrors';

/**
 * A form's submit, as every dialog and form of the workbench does it: validate (antd shows the messages under the
 * fields and nothing is sent), mark busy, send, and when the server answers with a problem put each field's
 * message beside its field and keep the problem for the page's ErrorAlert. `rename`: server field names the form
 * names differently (`amountFen` → `amount`). `send` may throw a problem of its own making (a local check).
 */
export function useFormSubmit<V>(form: FormInstance<V>, rename: Record<string, string> = {}) {
  const { lang } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (send: (values: V) => Promise<void>) => {
    let values: V;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await send(values);
    } catch (e) {
      showFieldErrors(form as FormInstance, problemsOf(e, rename), lang);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}
