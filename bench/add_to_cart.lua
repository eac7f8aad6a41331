-- wrk script: every request adds one unit of a product to a guest cart through the JSON API.
-- Carts are created beforehand (one per connection); requests go round them in turn.
-- Usage: wrk -s bench/add_to_cart.lua URL/api/v1/cart/items -- <product id> <tokens file>
local tokens, next_index, body = {}, 0, nil

function init(args)
  for line in io.lines(args[2]) do
    tokens[#tokens + 1] = line
  end
  body = '{"product_id": ' .. args[1] .. ', "quantity": 1}'
  next_index = math.random(#tokens)
end

function request()
  next_index = next_index % #tokens + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept-Encoding"] = "identity",
    ["X-Cart-Token"] = tokens[next_index],
  }
  return wrk.format("POST", nil, headers, body)
end
