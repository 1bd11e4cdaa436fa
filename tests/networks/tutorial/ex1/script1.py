# Explore operators in our network
noise = op('noise1')
blur = op('blur1')

print("=== Noise TOP Info ===")
print(f"Name: {noise.name}")
print(f"Type: {noise.type}")
print(f"Dimensions: {noise.width} x {noise.height}")

print("\n=== Blur TOP Info ===")
print(f"Name: {blur.name}")
print(f"Current size: {blur.par.size.eval()}")
