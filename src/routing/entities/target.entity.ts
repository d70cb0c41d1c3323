import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One upstream address of a service. */
@Entity({ name: 'targets' })
export class TargetEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'integer', default: 100 })
  weight: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
