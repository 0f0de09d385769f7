/** The value types a mapping can declare (`fields.<name>.type` in syncline.yaml). */
export const FieldTypes = ['string', 'integer', 'decimal', 'boolean', 'timestamp', 'date', 'json'] as const;
/** One of FieldTypes. */
export type FieldType = (typeof FieldTypes)[number];
