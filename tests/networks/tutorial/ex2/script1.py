import math

# Get current time in seconds
current_time = me.time.seconds

# Calculate a sine wave value (oscillates between -1 and 1)
sine_value = math.sin(current_time)

# Map the sine value to blur size (0 to 20)
blur_size = (sine_value + 1) * 10  # Now ranges from 0 to 20

# Apply to the blur operator
blur = op('blur1')
blur.par.size = blur_size

print(f"Time: {current_time:.2f}, Blur: {blur_size:.2f}")
