async def seed_orders(db, ctx) -> str:
    return "orders: nothing"
