"""Loading: warehouse access (warehouse), the reference dimensions (dimensions), accepted rows as
fact rows (facts), and the night's load, one transaction per submission (night)."""
