-- wrk script: every request adds one unit of a product to a guest cart through the JSON API.
-- Carts are created beforehand (one per connection); requests go round them in turn.
-- A cart line holds at most 99 units, so every 25th request of a cart (per wrk thread, so up
-- to three threads stay under 99) sets the line back to one unit (PATCH) instead: at 1,000
-- requests per second the 64 carts would otherwise be full within seconds and the rest would
-- measure the refusal. (A DELETE could meet a line another thread had just removed: 404.)
-- Usage: wrk -s bench/add_to_cart.lua URL/api/v1/cart/items -- <product id> <tokens file>
local tokens, next_index, body, reset, product, sent = {}, 0, nil, nil, nil, {}
local RESET_EVERY = 25

function init(args)
  for line in io.lines(args[2]) do
    tokens[#tokens + 1] = line
    sent[#tokens] = 0
  end
  product = args[1]
  body = '{"product_id": ' .. product .. ', "quantity": 1}'
  reset = '{"quantity": 1}'
  next_index = math.random(#tokens)
end

function request()
  next_index = next_index % #tokens + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept-Encoding"] = "identity",
    ["X-Cart-Token"] = tokens[next_index],
  }
  sent[next_index] = sent[next_index] + 1
  if sent[next_index] % RESET_EVERY == 0 then
    return wrk.format("PATCH", wrk.path .. "/" .. product, headers, reset)
  end
  return wrk.format("POST", nil, headers, body)
end
