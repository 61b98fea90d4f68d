import type { ButtonHTMLAttributes, FormEvent, InputHTMLAttributes, ReactNode } from 'react';

/** A form's submit handler that keeps the page: the browser's own submission is cancelled, `act` runs the action. */
export function submitted(act: () => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    act();
  };
}

/** The console's input look: a thin slate border, small padding; callers add margin and width. */
export const INPUT_CLASS = 'rounded border border-slate-300 px-2 py-1';

/**
 * A control with its caption above it, the whole a label (so the caption names the control). `block`
 * where the fields stand in a column; in a row of fields (a flex form) it makes no difference.
 */
export function Field({ label, block = false, children }: { label: ReactNode; block?: boolean; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, an input or a select.
    <label className={block ? 'block text-sm' : 'text-sm'}>
      <span className="block font-medium">{label}</span>
      {children}
    </label>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'className'> & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  /** Tailwind width classes, e.g. `w-72` or `w-64 max-w-full`. */
  width: string;
  /** Monospace, for typed words and counts. */
  mono?: boolean;
  block?: boolean;
  /** A line under the input (what it accepts). */
  hint?: ReactNode;
};

/** A captioned text input, controlled. */
export function TextField({ label, value, onChange, width, mono = false, block, hint, ...input }: TextFieldProps) {
  return (
    <Field label={label} block={block}>
      <input
        {...input}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={`mt-1 ${width} ${INPUT_CLASS}${mono ? ' font-mono' : ''}`}
      />
      {hint}
    </Field>
  );
}

/** A form's buttons by what they do: fill and ink per tone, the same size and disabled look for all. */
const TONES = {
  primary: ['bg-slate-900', 'text-white hover:bg-slate-700'],
  secondary: ['border border-slate-400', 'text-slate-800 hover:bg-slate-50'],
  approve: ['bg-emerald-700', 'text-white hover:bg-emerald-600'],
  reject: ['border border-red-400', 'text-red-800 hover:bg-red-50'],
  /** An action that changes the schema on the side of a phase (phase 2's "Apply fix"). */
  caution: ['border border-amber-500 bg-amber-50', 'text-amber-900 hover:bg-amber-100'],
  destructive: ['bg-red-700', 'text-white hover:bg-red-600 disabled:cursor-not-allowed'],
} as const;

type ButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'className' | 'type'> & {
  tone: keyof typeof TONES;
  type: 'button' | 'submit';
  /** Small text, where the button sits among small-text fields. */
  small?: boolean;
};

export function Button({ tone, type, small = false, ...button }: ButtonProps) {
  const [fill, ink] = TONES[tone];
  return (
    <button
      {...button}
      type={type === 'submit' ? 'submit' : 'button'}
      className={`rounded ${fill} px-4 py-2${small ? ' text-sm' : ''} font-medium ${ink} disabled:opacity-40`}
    />
  );
}

/**
 * The sign-in pages' fields (set a password, accept an invitation): a full-width password input
 * under its caption.
 */
export function PasswordField({
  label,
  value,
  onChange,
  autoComplete,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete: 'current-password' | 'new-password';
}) {
  return (
    <label className="block text-sm">
      <span className="block font-medium text-slate-700">{label}</span>
      <input
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        required
        className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
      />
    </label>
  );
}

/** For password managers, hidden: the account a password form's password belongs to. */
export function AccountForPasswordManagers({ username }: { username: string }) {
  return <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />;
}

/** A new password and the same again: setting one's own, accepting an invitation. */
export function NewPasswordFields({
  password,
  confirmPassword,
  onPassword,
  onConfirmPassword,
}: {
  password: string;
  confirmPassword: string;
  onPassword: (value: string) => void;
  onConfirmPassword: (value: string) => void;
}) {
  return (
    <>
      <PasswordField
        label="New password (at least 10 characters)"
        value={password}
        onChange={onPassword}
        autoComplete="new-password"
      />
      <PasswordField
        label="New password again"
        value={confirmPassword}
        onChange={onConfirmPassword}
        autoComplete="new-password"
      />
    </>
  );
}

/** The sign-in pages' one full-width submit button, worded for while it waits. */
export function WideSubmitButton({
  pending,
  pendingText,
  children,
}: {
  pending: boolean;
  pendingText: string;
  children: ReactNode;
}) {
  return (
    <button
      type="submit"
      disabled={pending}
      className="w-full rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
    >
      {pending ? pendingText : children}
    </button>
  );
}
