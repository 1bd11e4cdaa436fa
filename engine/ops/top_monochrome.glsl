#version 330 core
// monochromeTOP: each pixel's grey by the RGB method (0 luminance
// (Rec. 709), 1 average, 2 maximum, 3 minimum, 4 red, 5 green, 6 blue,
// 7 alpha), mixed in by `mono`; alpha by the ALPHA method (the same
// list, 8 keeps the input's, 9 one). On unpremultiplied colour. EXACT:
// the input has the output's size.
in vec2 vUV;
uniform sampler2D uInput;
uniform float uMono;
out vec4 fragColor;
#ifdef EXACT
#define INPUT() TEXEL(uInput)
#else
#define INPUT() texture(uInput, vUV)
#endif
float grey(int m, vec3 c, float a) {
    if (m == 0) return dot(c, vec3(0.2126, 0.7152, 0.0722));
    if (m == 1) return (c.r + c.g + c.b) / 3.0;
    if (m == 2) return max(c.r, max(c.g, c.b));
    if (m == 3) return min(c.r, min(c.g, c.b));
    if (m == 4) return c.r;
    if (m == 5) return c.g;
    if (m == 6) return c.b;
    if (m == 7) return a;
    if (m == 8) return a;
    return 1.0;
}
void main() {
    vec4 c = INPUT();
    vec3 rgb = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
    vec3 m = mix(rgb, vec3(grey(RGB, rgb, c.a)), uMono);
    float a = grey(ALPHA, rgb, c.a);
    fragColor = vec4(m * a, a);
}
