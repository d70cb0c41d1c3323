import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { RateLimitAlgorithm, RateLimitScope } from '../policy/limit-settings.js';

@Entity({ name: 'rate_limit_rules' })
export class RateLimitRuleEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  scope: RateLimitScope;

  /** Normalised (see policy/rule-match.ts); unique with the scope. */
  @Column({ type: 'varchar', length: 400 })
  match: string;

  @Column({ type: 'integer' })
  limit: number;

  @Column({ name: 'window_s', type: 'double precision' })
  windowS: number;

  @Column({ type: 'integer', nullable: true })
  burst: number | null;

  @Column({ type: 'varchar', length: 32 })
  algorithm: RateLimitAlgorithm;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column('text', { array: true, default: () => "'{}'" })
  tags: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
