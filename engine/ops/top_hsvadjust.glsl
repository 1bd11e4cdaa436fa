#version 330 core
// hsvadjustTOP: hue rotated by degrees, saturation and value multiplied,
// on unpremultiplied colour. EXACT: the input has the output's size.
in vec2 vUV;
uniform sampler2D uInput;
uniform float uHue, uSat, uVal;
out vec4 fragColor;
#ifdef EXACT
#define INPUT() TEXEL(uInput)
#else
#define INPUT() texture(uInput, vUV)
#endif

vec3 rgb2hsv(vec3 c) {
    vec4 K = vec4(0.0, -1.0 / 3.0, 2.0 / 3.0, -1.0);
    vec4 p = mix(vec4(c.bg, K.wz), vec4(c.gb, K.xy), step(c.b, c.g));
    vec4 q = mix(vec4(p.xyw, c.r), vec4(c.r, p.yzx), step(p.x, c.r));
    float d = q.x - min(q.w, q.y);
    float e = 1.0e-10;
    return vec3(abs(q.z + (q.w - q.y) / (6.0 * d + e)), d / (q.x + e), q.x);
}

vec3 hsv2rgb(vec3 c) {
    vec3 p = abs(fract(vec3(c.x) + vec3(1.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0 - 3.0);
    return c.z * mix(vec3(1.0), clamp(p - 1.0, 0.0, 1.0), c.y);
}

void main() {
    vec4 c = INPUT();
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    vec3 hsv = rgb2hsv(rgb);
    hsv.x = fract(hsv.x + uHue / 360.0);
    hsv.y = clamp(hsv.y * uSat, 0.0, 1.0);
    hsv.z *= uVal;
    fragColor = vec4(hsv2rgb(hsv) * c.a, c.a);
}
