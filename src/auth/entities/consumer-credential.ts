import { Column, CreateDateColumn, PrimaryColumn } from 'typeorm';

/**
 * What every credential of a consumer has (each kind keeps its own table): an id, its consumer,
 * a label, and the fingerprint of the server secret its stored hash was keyed with.
 */
export abstract class ConsumerCredential {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'consumer_id', type: 'uuid' })
  consumerId: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  name: string | null;

  @Column({ name: 'secret_fingerprint', type: 'varchar', length: 16 })
  secretFingerprint: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
