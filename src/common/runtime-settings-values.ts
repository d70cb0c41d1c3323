/** The settings an operator may change at run time (PUT /admin/configuration), as every instance applies them. */
export interface RuntimeSettingsValues {
  log_level: string;
  response_cache_enabled: boolean;
}
