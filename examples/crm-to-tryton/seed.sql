-- A small CRM on PostgreSQL for examples/crm-to-tryton: accounts, products, orders with lines,
-- and the stock the ERP reports back. psql "$CRM_DATABASE_URL" -f seed.sql
CREATE TABLE IF NOT EXISTS accounts (
  id          integer PRIMARY KEY,
  code        text NOT NULL UNIQUE,            -- the customer number, Tryton's party code
  name        text NOT NULL,
  email       text,
  phone       text,
  street      text,
  city        text,
  zip         text,
  is_deleted  boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS products (
  sku         text PRIMARY KEY,
  name        text NOT NULL,
  price       numeric(12, 2) NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS orders (
  id          integer PRIMARY KEY,
  account_code text NOT NULL REFERENCES accounts (code),
  status      text NOT NULL DEFAULT 'open',   -- open | quoted | won | cancelled
  description text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS order_lines (
  id          integer PRIMARY KEY,
  order_id    integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  sku         text NOT NULL REFERENCES products (sku),
  quantity    integer NOT NULL,
  unit_price  numeric(12, 2) NOT NULL,
  description text
);
-- Written by the `stock` flow from Tryton.
CREATE TABLE IF NOT EXISTS product_stock (
  sku         text PRIMARY KEY,
  quantity    numeric(14, 3)
);

INSERT INTO accounts (id, code, name, email, phone, street, city, zip)
SELECT g, 'C' || lpad(g::text, 5, '0'), 'Customer ' || g, 'c' || g || '@example.com', '+1 650-253-' || lpad((g % 10000)::text, 4, '0'),
       g || ' Main St', 'Springfield', lpad((10000 + g)::text, 5, '0')
FROM generate_series(1, 1000) g
ON CONFLICT DO NOTHING;

INSERT INTO products (sku, name, price)
SELECT 'P' || lpad(g::text, 3, '0'), 'Product ' || g, (g * 1.25)::numeric(12, 2)
FROM generate_series(1, 20) g
ON CONFLICT DO NOTHING;

INSERT INTO orders (id, account_code, description)
SELECT g, 'C' || lpad((1 + (g * 7) % 1000)::text, 5, '0'), 'CRM order ' || g
FROM generate_series(1, 200) g
ON CONFLICT DO NOTHING;

-- 1 to 5 lines per order.
INSERT INTO order_lines (id, order_id, sku, quantity, unit_price, description)
SELECT o * 10 + l, o, 'P' || lpad((1 + (o + l) % 20)::text, 3, '0'), 1 + (o * l) % 9, ((1 + (o + l) % 20) * 1.25)::numeric(12, 2),
       'line ' || l || ' of order ' || o
FROM generate_series(1, 200) o, generate_series(1, 5) l
WHERE l <= 1 + o % 5
ON CONFLICT DO NOTHING;
