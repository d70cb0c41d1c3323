import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'services' })
export class ServiceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  name: string;

  @Column({ name: 'connect_timeout_ms', type: 'integer', default: 5000 })
  connectTimeoutMs: number;

  @Column({ name: 'timeout_ms', type: 'integer', default: 60000 })
  timeoutMs: number;

  @Column({ type: 'integer', default: 2 })
  retries: number;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  /** The service's OpenAPI document: an absolute URL, or a path under the service's first target. */
  @Column({ name: 'openapi_url', type: 'varchar', length: 2048, nullable: true })
  openapiUrl: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
