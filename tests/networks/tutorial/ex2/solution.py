import math

current_time = me.time.seconds

# Faster oscillation
sine_value = math.sin(current_time * 2)

# Control blur size
blur = op('blur1')
blur.par.size = (sine_value + 1) * 10

# Control noise period
noise = op('noise1')
noise.par.period = 50 + (sine_value + 1) * 50

print(f"Blur: {blur.par.size.eval():.1f}, Noise Period: {noise.par.period.eval():.1f}")
