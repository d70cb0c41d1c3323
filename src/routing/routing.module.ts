import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigWriter } from './config-writer.service.js';
import { DeclarativeConfigService } from './declarative/declarative-config.service.js';
import { RouteEntity } from './entities/route.entity.js';
import { ServiceEntity } from './entities/service.entity.js';
import { TargetEntity } from './entities/target.entity.js';
import { RoutesController } from './routes.controller.js';
import { RoutesService } from './routes.service.js';
import { ServicesController } from './services.controller.js';
import { ServicesService } from './services.service.js';
import { RouteTableService } from './table/route-table.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ServiceEntity, TargetEntity, RouteEntity])],
  controllers: [ServicesController, RoutesController],
  providers: [RouteTableService, ConfigWriter, ServicesService, RoutesService, DeclarativeConfigService],
  exports: [RouteTableService, ConfigWriter, ServicesService, RoutesService, DeclarativeConfigService],
})
export class RoutingModule {}
