/**
 * @module web/databases/CreateDatabaseForm
 * Name, location and default shard count. The location is a Durable Object
 * location hint: the database's catalog and shards are created near it.
 * There is no replica choice: replication is not built yet, so every
 * database has one copy. Creating provisions the database's catalog, which
 * can take a moment: the button shows progress.
 */
import { type FormEvent, useState } from 'react';
import { createDatabase, type NewDatabase } from '../api/control-plane.ts';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { REGIONS } from './regions.ts';

const LOCATIONS = [['', 'Automatic (near the first request)'], ...REGIONS] as const;

export function CreateDatabaseForm({ projectId, onCreated }: { projectId: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [locationHint, setLocation] = useState('');
  const [defaultShardCount, setShards] = useState(8);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await createDatabase(projectId, {
        name,
        locationHint: (locationHint || undefined) as NewDatabase['locationHint'],
        defaultShardCount,
      });
      setName('');
      onCreated();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel form-row" onSubmit={submit} aria-labelledby="create-db-title">
      <h2 id="create-db-title">Create a database</h2>
      <label>
        Name
        <input
          required
          pattern="[a-z][a-z0-9_\-]{0,62}"
          title="Lowercase letters, digits, _ and -; starts with a letter"
          value={name}
          onChange={(e) => setName(e.target.value)}
          name="name"
        />
      </label>
      <label>
        Location
        <select name="location" value={locationHint} onChange={(e) => setLocation(e.target.value)}>
          {LOCATIONS.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        Shards
        <input
          type="number"
          min={1}
          max={256}
          value={defaultShardCount}
          onChange={(e) => setShards(Number(e.target.value))}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Provisioning…' : 'Create database'}
      </button>
      {busy && <progress aria-label="Provisioning the database" />}
      {error && <ErrorMessage error={error} />}
    </form>
  );
}
