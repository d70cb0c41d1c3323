import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Someone who calls the proxied APIs: an application or a user, with the scopes it holds. */
@Entity({ name: 'consumers' })
export class ConsumerEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  username: string;

  /** The consumer's id in the caller's own systems; unique when set. */
  @Column({ name: 'custom_id', type: 'varchar', length: 256, nullable: true, unique: true })
  customId: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  scopes: string[];

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
